import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../api/person';
import { saveSettings } from '../lib/settings-store';
import { fakeService } from '../test/fake-service';
import { renderWithClient } from '../test/render-with-client';
import { tom } from '../test/test-people';
import { App } from './App';
import { createQueryClient } from './query-client';

const unauthorized = { status: 401, body: { error: { code: 'Unauthorized', message: 'Not signed in' } } };

/** Our service: who is signed in follows sign-in and sign-out; the OData sets are empty. */
function service(options: { person?: Person | null; sso?: string } = {}) {
  let signedIn: Person | null = options.person ?? null;
  const fake = fakeService({
    'GET /auth/options': () => ({ body: { sso: options.sso ? { label: options.sso } : null } }),
    'GET /auth/session': () => (signedIn ? { body: { person: signedIn, repSees: 'all' } } : unauthorized),
    'POST /auth/sign-in': ({ body }) => {
      const { email, password } = body as { email: string; password: string };
      if (password === 'slow down')
        return {
          status: 429,
          headers: { 'Retry-After': '120' },
          body: {
            error: {
              code: 'TooManyAttempts',
              message: 'Too many failed sign-ins for this account: try again in 2 minutes',
            },
          },
        };
      if (email !== tom.email || password !== 'right password')
        return {
          status: 401,
          body: { error: { code: 'InvalidCredentials', message: 'The email or password is not right' } },
        };
      signedIn = tom;
      return { body: { person: tom } };
    },
    'POST /auth/sign-out': () => {
      signedIn = null;
      return { status: 204 };
    },
    'GET /auth/tokens': () => (signedIn ? { body: { value: [] } } : unauthorized),
    'GET /v1/odata/': () => (signedIn ? { body: { value: [] } } : unauthorized),
  });
  return {
    ...fake,
    /** the session ends on the service (signed out in another tab, timed out) */
    endSession: () => {
      signedIn = null;
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
});

/** The header once the person shows in it. */
async function signedInHeader() {
  const signOut = await screen.findByRole('button', { name: 'Sign out' });
  return signOut.closest('header')!;
}

async function signIn(email: string, password: string) {
  await userEvent.clear(screen.getByLabelText('Email'));
  await userEvent.type(screen.getByLabelText('Email'), email);
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('App and sign-in', () => {
  it('shows the sign-in page while nobody is signed in, and the board with the person after', async () => {
    const { requests } = service();
    window.history.replaceState(null, '', '/forecast?status=open');
    renderWithClient(<App />);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    // no data is asked for without a person
    expect(requests.some((r) => r.url.pathname.startsWith('/v1/odata'))).toBe(false);

    await signIn('tom@example.com', 'wrong password');
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right.');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.getByLabelText('Password')).toHaveFocus();

    await signIn('tom@example.com', 'right password');
    const header = await signedInHeader();
    expect(within(header).getByText('Tom Jansen')).toBeInTheDocument();
    expect(within(header).getByText('Sales rep')).toBeInTheDocument();
    // a rep manages no people
    expect(within(header).getByRole('link', { name: 'Tokens' })).toBeInTheDocument();
    expect(within(header).queryByRole('link', { name: 'People' })).toBeNull();
    // signed in where they were going
    expect(window.location.pathname).toBe('/forecast');
    const signInRequest = requests.find((r) => r.url.pathname === '/auth/sign-in' && r.body);
    expect(signInRequest?.body).toEqual({ email: 'tom@example.com', password: 'wrong password' });
  });

  it('says when to try again after too many attempts', async () => {
    service();
    renderWithClient(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn('tom@example.com', 'slow down');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Too many failed sign-ins for this account: try again in 2 minutes.');
    expect(alert).toHaveTextContent(/You can try again at \d{2}:\d{2}\./);
  });

  it('asks for both fields before sending', async () => {
    const { requests } = service();
    renderWithClient(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your email.');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('shows the message a sign-in link or single sign-on came back with, and the SSO button', async () => {
    service({ sso: 'Sign in with Example' });
    window.history.replaceState(
      null,
      '',
      `/sign-in?error=${encodeURIComponent('This sign-in link expired')}`,
    );
    renderWithClient(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('This sign-in link expired');
    const sso = await screen.findByRole('link', { name: 'Sign in with Example' });
    expect(sso).toHaveAttribute('href', '/auth/sso');
  });

  it('says what a sign-in link came back with to someone already signed in, then shows the board', async () => {
    service({ person: tom });
    window.history.replaceState(
      null,
      '',
      `/sign-in?error=${encodeURIComponent('This sign-in link was used already')}`,
    );
    renderWithClient(<App />);
    await signedInHeader();
    expect(await screen.findByText('This sign-in link was used already')).toBeInTheDocument();
    await waitFor(() => expect(window.location.pathname).toBe('/'));
  });

  it('goes from /sign-in to the board once signed in', async () => {
    service();
    window.history.replaceState(null, '', '/sign-in');
    renderWithClient(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn('tom@example.com', 'right password');
    await signedInHeader();
    await waitFor(() => expect(window.location.pathname).toBe('/'));
  });

  it('signs out on the service and shows the sign-in page again', async () => {
    const { requests } = service({ person: tom });
    renderWithClient(<App />);
    const header = await signedInHeader();
    await userEvent.click(within(header).getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(requests.some((r) => r.method === 'POST' && r.url.pathname === '/auth/sign-out')).toBe(true);
    expect(window.location.pathname).toBe('/sign-in');
  });

  it('shows People to admins, and folds the links into a menu button', async () => {
    service({ person: { ...tom, role: 'admin' } });
    renderWithClient(<App />);
    const header = await signedInHeader();
    expect(within(header).getByText('Admin')).toBeInTheDocument();
    const people = within(header).getByRole('link', { name: 'People' });
    const menu = within(header).getByRole('button', { name: 'Menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(document.getElementById(menu.getAttribute('aria-controls')!)).toContainElement(people);
    await userEvent.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    await userEvent.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();
  });

  it('shows the sign-in page again when the service says the session ended', async () => {
    const fake = service({ person: tom });
    renderWithClient(<App />, createQueryClient());
    const header = await signedInHeader();
    fake.endSession();
    // the next request is refused (401): the dashboard asks who is signed in, and it is nobody
    await userEvent.click(within(header).getByRole('link', { name: 'Tokens' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(fake.requests.some((r) => r.url.pathname === '/auth/tokens')).toBe(true);
  });

  it('needs no sign-in for another service, reached with a token', async () => {
    saveSettings({ baseUrl: 'https://crm.example.com/v1/odata', token: 'secret', staleDays: 14 });
    const { requests } = fakeService({ 'GET /v1/odata/': () => ({ body: { value: [] } }) });
    renderWithClient(<App />);
    const header = await screen.findByRole('banner');
    expect(within(header).getByRole('link', { name: 'Settings' })).toBeInTheDocument();
    expect(within(header).queryByRole('button', { name: 'Sign out' })).toBeNull();
    await waitFor(() => expect(requests.length).toBeGreaterThan(0));
    expect(requests.some((r) => r.url.pathname.startsWith('/auth'))).toBe(false);
    expect(requests.every((r) => r.headers.get('Authorization') === 'Bearer secret')).toBe(true);
  });

  it('says plainly when another service refuses the page (no CORS) instead of an empty board', async () => {
    saveSettings({ baseUrl: 'https://crm.example.com/v1/odata', token: 'secret', staleDays: 14 });
    fakeService({
      'GET /v1/odata/': () => {
        // what fetch does when the answer lacks CORS headers
        throw new TypeError('Failed to fetch');
      },
    });
    renderWithClient(<App />);
    expect(
      await screen.findByText(
        /crm\.example\.com did not let this page read its answer/,
        {},
        { timeout: 5000 },
      ),
    ).toHaveTextContent('proxy mode: UPSTREAM_URL');
  });
});
