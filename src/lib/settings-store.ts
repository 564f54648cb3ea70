// Connection and display preferences, kept in localStorage so a rep sets them once per browser.
// A bearer token is kept only for another service (the hosted CRM): Dealdeck's own service
// knows the person from the session cookie, and no token for it stays in the browser's storage.
import { useSyncExternalStore } from 'react';
import { isOwnService } from './own-service';

export interface Settings {
  /** service root, e.g. `/v1/odata` or `https://api.tribecrm.nl/v1/odata` */
  baseUrl: string;
  /** bearer token for another service address; always empty for our own service */
  token: string;
  /** a card untouched for this many days gets the stale marker */
  staleDays: number;
}

export const defaultSettings: Settings = { baseUrl: '/v1/odata', token: '', staleDays: 14 };

const storageKey = 'dealdeck.settings';
const listeners = new Set<() => void>();
let cached: Settings | undefined;

function read(): Settings {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Partial<Settings>;
    const settings = withoutOwnToken({
      baseUrl:
        typeof stored.baseUrl === 'string' && stored.baseUrl.trim()
          ? stored.baseUrl
          : defaultSettings.baseUrl,
      token: typeof stored.token === 'string' ? stored.token : defaultSettings.token,
      staleDays:
        typeof stored.staleDays === 'number' && stored.staleDays > 0
          ? stored.staleDays
          : defaultSettings.staleDays,
    });
    // A token an earlier version kept for our own service leaves the browser's storage.
    if (stored.token && !settings.token) localStorage.setItem(storageKey, JSON.stringify(settings));
    return settings;
  } catch {
    // A corrupt entry must not lock the rep out of the board.
    return defaultSettings;
  }
}

export function getSettings(): Settings {
  cached ??= read();
  return cached;
}

/** Our own service signs in with the session cookie: a token for it is dropped. */
function withoutOwnToken(settings: Settings): Settings {
  return settings.token && isOwnService(settings.baseUrl) ? { ...settings, token: '' } : settings;
}

export function saveSettings(settings: Settings) {
  const next = withoutOwnToken(settings);
  localStorage.setItem(storageKey, JSON.stringify(next));
  cached = next;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useSettings = () => useSyncExternalStore(subscribe, getSettings, getSettings);
