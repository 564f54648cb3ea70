import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveSettings } from '../../lib/settings-store';
import { renderWithClient } from '../../test/render-with-client';
import { SettingsScreen } from './SettingsScreen';

const hosted = 'https://api.tribecrm.nl/v1/odata';

/** fetch as the page sees it: Dealdeck's own routes, and the hosted CRM answering `crm`. */
function stubFetch(mode: unknown, crm: () => Response | Promise<Response>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), window.location.origin);
    if (url.href.startsWith(hosted)) return crm();
    if (url.pathname === '/v1/mode') return Response.json(mode);
    return Response.json({ error: { code: 'NotFound', message: 'none' } }, { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
  saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
});

describe('Settings', () => {
  it('shows that the server proxies the hosted CRM', async () => {
    stubFetch({ mode: 'proxy', upstream: hosted }, () => Response.json({ value: [] }));
    renderWithClient(<SettingsScreen />);
    expect(await screen.findByText(hosted)).toBeInTheDocument();
    expect(screen.getByText(/\(proxy mode\): the board shows that service's records/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Bearer token')).not.toBeInTheDocument();
  });

  it('says nothing of a proxy when the server serves its own data', async () => {
    const fetchMock = stubFetch({ mode: 'own' }, () => Response.json({ value: [] }));
    renderWithClient(<SettingsScreen />);
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledWith('/v1/mode', expect.anything()));
    expect(await screen.findByText(/Dealdeck's own service knows you/)).toBeInTheDocument();
    expect(screen.queryByText(/proxy mode\)/)).not.toBeInTheDocument();
  });

  it('says plainly when a direct service refuses the page (CORS)', async () => {
    saveSettings({ baseUrl: hosted, token: 'crm-token', staleDays: 14 });
    stubFetch({ mode: 'own' }, () => {
      throw new TypeError('Failed to fetch');
    });
    renderWithClient(<SettingsScreen />);
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      "api.tribecrm.nl did not let this page read its answer: it does not allow requests from another site (no CORS headers), or it cannot be reached. Such a service can be used through Dealdeck's server instead (proxy mode: UPSTREAM_URL).",
    );
  });

  it('says plainly when a direct service refuses the token (401)', async () => {
    saveSettings({ baseUrl: hosted, token: 'expired', staleDays: 14 });
    stubFetch({ mode: 'own' }, () =>
      Response.json({ error: { code: 'Unauthorized', message: 'Unauthorized' } }, { status: 401 }),
    );
    renderWithClient(<SettingsScreen />);
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'api.tribecrm.nl refused the token (401): check it, or get a new one.',
    );
  });
});

describe('Settings with per-person upstream sign-in', () => {
  /** Dealdeck in proxy mode whose /auth/upstream answers `connection` (null: 404) */
  function stubConnection(connection: { connected: boolean; connectedAt?: number } | null) {
    let current = connection && { upstream: 'api.tribecrm.nl', ...connection };
    const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), window.location.origin);
      if (url.pathname === '/v1/mode') return Response.json({ mode: 'proxy', upstream: hosted });
      if (url.pathname === '/auth/upstream' && current) {
        if (init?.method === 'DELETE') {
          current = { upstream: 'api.tribecrm.nl', connected: false };
          return new Response(null, { status: 204 });
        }
        return Response.json(current);
      }
      return Response.json({ error: { code: 'NotFound', message: 'none' } }, { status: 404 });
    });
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  }

  afterEach(() => window.history.replaceState(null, '', '/'));

  it('offers to connect a person who has not, by a link to the connect route', async () => {
    stubConnection({ connected: false });
    renderWithClient(<SettingsScreen />);
    const link = await screen.findByRole('link', { name: 'Connect to api.tribecrm.nl' });
    expect(link).toHaveAttribute('href', '/auth/upstream/connect');
    expect(screen.getByText(/connect it once \(you sign in at api\.tribecrm\.nl\)/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Disconnect/ })).not.toBeInTheDocument();
  });

  it('says when a person is connected, and disconnects', async () => {
    const fetchMock = stubConnection({ connected: true, connectedAt: Date.UTC(2026, 0, 2) });
    renderWithClient(<SettingsScreen />);
    expect(await screen.findByText(/Your requests reach/)).toHaveTextContent(
      'Your requests reach api.tribecrm.nl as you',
    );
    expect(screen.queryByRole('link', { name: /Connect to/ })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Disconnect from api.tribecrm.nl' }));
    expect(await screen.findByRole('link', { name: 'Connect to api.tribecrm.nl' })).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/auth/upstream', expect.objectContaining({ method: 'DELETE' }));
  });

  it('shows why a connection failed, as the server put it', async () => {
    window.history.replaceState(
      null,
      '',
      `/settings?upstream_error=${encodeURIComponent('Connecting to api.tribecrm.nl failed: access_denied')}`,
    );
    stubConnection({ connected: false });
    renderWithClient(<SettingsScreen />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Connecting to api.tribecrm.nl failed: access_denied',
    );
  });

  it('offers nothing to connect when the server signs in as one client (404)', async () => {
    const fetchMock = stubConnection(null);
    renderWithClient(<SettingsScreen />);
    expect(await screen.findByText(hosted)).toBeInTheDocument();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledWith('/auth/upstream', expect.anything()));
    expect(screen.queryByRole('link', { name: /Connect to/ })).not.toBeInTheDocument();
  });
});
