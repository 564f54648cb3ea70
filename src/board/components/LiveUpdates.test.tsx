import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authKeys } from '../../api/query-keys';
import { saveSettings } from '../../lib/settings-store';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { LiveStatus } from './LiveStatus';
import { LiveUpdates } from './LiveUpdates';

class FakeEventSource extends EventTarget {
  static CLOSED = 2;
  static opened: string[] = [];
  readyState = 0;
  constructor(readonly url: string) {
    super();
    FakeEventSource.opened.push(url);
    queueMicrotask(() => this.dispatchEvent(new Event('open')));
  }
  close() {
    this.readyState = 2;
  }
}

const person = { id: 'p1', email: 'rita@example.com', name: 'Rita Rep', role: 'rep' };

afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.opened = [];
});

describe('LiveUpdates', () => {
  it('opens the change stream on Dealdeck’s own service once signed in, and says it is live', async () => {
    saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
    vi.stubGlobal('EventSource', FakeEventSource);
    fakeService({ 'GET /auth/session': () => ({ body: { person, repSees: 'all' } }) });
    const view = renderWithClient(
      <>
        <LiveUpdates />
        <LiveStatus />
      </>,
    );
    expect(await screen.findByRole('status', { name: /^Live/ })).toHaveTextContent('Live');
    expect(FakeEventSource.opened).toEqual([`${window.location.origin}/v1/changes`]);
    view.unmount();
  });

  it('opens no stream while nobody is signed in', async () => {
    saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
    vi.stubGlobal('EventSource', FakeEventSource);
    const { requests } = fakeService({ 'GET /auth/session': () => ({ status: 401, body: {} }) });
    const view = renderWithClient(<LiveUpdates />);
    await waitFor(() => expect(requests.length).toBeGreaterThan(0));
    // the 401 is in: the session query has settled as signed out
    await waitFor(() => expect(view.client.getQueryState(authKeys.session())?.status).toBe('success'));
    expect(view.client.getQueryData(authKeys.session())).toBeNull();
    expect(FakeEventSource.opened).toEqual([]);
    view.unmount();
  });

  it('polls another service (the hosted CRM) and says so', async () => {
    saveSettings({ baseUrl: 'https://crm.example.com/v1/odata', token: 'secret', staleDays: 14 });
    vi.stubGlobal('EventSource', FakeEventSource);
    fakeService({});
    const view = renderWithClient(
      <>
        <LiveUpdates />
        <LiveStatus />
      </>,
    );
    expect(await screen.findByText('Updates every 30 s')).toBeInTheDocument();
    expect(FakeEventSource.opened).toEqual([]);
    view.unmount();
  });
});
