import { afterEach, describe, expect, it } from 'vitest';
import { isOwnService } from './own-service';
import { getSettings, saveSettings } from './settings-store';

afterEach(() => saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 }));

describe('isOwnService', () => {
  it('is the service on the page origin, by path or absolute address', () => {
    expect(isOwnService('/v1/odata', 'http://127.0.0.1:8080')).toBe(true);
    expect(isOwnService('http://127.0.0.1:8080/v1/odata', 'http://127.0.0.1:8080')).toBe(true);
    expect(isOwnService('https://api.tribecrm.nl/v1/odata', 'http://127.0.0.1:8080')).toBe(false);
    expect(isOwnService('http://127.0.0.1:9090/v1/odata', 'http://127.0.0.1:8080')).toBe(false);
  });
});

describe('settings store', () => {
  it('keeps a token only for another service', () => {
    saveSettings({ baseUrl: 'https://api.tribecrm.nl/v1/odata', token: 'secret', staleDays: 14 });
    expect(getSettings().token).toBe('secret');
    saveSettings({ baseUrl: '/v1/odata', token: 'secret', staleDays: 14 });
    expect(getSettings().token).toBe('');
    expect(localStorage.getItem('dealdeck.settings')).not.toContain('secret');
  });
});
