import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { Toaster } from '../../ui/Toaster';
import type { PersonAdmin } from '../api/people-query';
import { PeoplePage } from './PeoplePage';

const ada: PersonAdmin = {
  id: 'p-ada',
  email: 'ada@example.com',
  name: 'Ada Admin',
  role: 'admin',
  employeeId: null,
  employeeName: null,
  hasPassword: true,
  active: true,
  createdAt: '2026-11-01T00:00:00Z',
  lastSignInAt: '2026-12-01T09:00:00Z',
};
const sanne: PersonAdmin = {
  ...ada,
  id: 'p-sanne',
  email: 'sanne@example.com',
  name: 'Sanne de Vries',
  role: 'rep',
  lastSignInAt: null,
};

afterEach(() => vi.unstubAllGlobals());

function service() {
  let people = [ada, sanne];
  return fakeService({
    'GET /auth/people': () => ({ body: { value: people } }),
    'POST /auth/people': ({ body }) => {
      const { email, name, role } = body as { email: string; name: string; role: PersonAdmin['role'] };
      if (email === ada.email)
        return {
          status: 409,
          body: {
            error: {
              code: 'PersonExists',
              message: `There is already a person with the email ${email}`,
              target: 'email',
            },
          },
        };
      const person = { ...sanne, id: 'p-new', email, name, role, hasPassword: false };
      people = [...people, person];
      return { status: 201, body: { person, signInLink: 'http://127.0.0.1:8080/auth/link/abc' } };
    },
    'POST /auth/people/': () => ({
      status: 201,
      body: { signInLink: 'http://127.0.0.1:8080/auth/link/new' },
    }),
    'PATCH /auth/people/': ({ url, body }) => {
      const change = body as Partial<PersonAdmin>;
      if (url.pathname.endsWith(ada.id) && change.role && change.role !== 'admin')
        return {
          status: 409,
          body: {
            error: { code: 'LastAdmin', message: 'That would leave no active admin to manage people' },
          },
        };
      people = people.map((p) => (url.pathname.endsWith(p.id) ? { ...p, ...change } : p));
      return { body: { person: people.find((p) => url.pathname.endsWith(p.id)) } };
    },
  });
}

const row = (name: string) =>
  within(screen.getByRole('list', { name: 'People' })).getByRole('listitem', { name });

describe('PeoplePage', () => {
  it('is for admins only', () => {
    const { requests } = service();
    renderWithClient(<PeoplePage me={{ ...sanne } as Person} />);
    expect(screen.getByText(/Only admins manage people/)).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });

  it('lists people and invites someone, showing the link to pass on', async () => {
    const { requests } = service();
    renderWithClient(<PeoplePage me={ada} />);
    expect(await screen.findByRole('listitem', { name: 'Sanne de Vries' })).toHaveTextContent(
      'sanne@example.com · never signed in',
    );
    expect(row('Ada Admin')).toHaveTextContent('(you)');

    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Name'), 'Ada Again');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    // the service's refusal, at the field it names
    expect(
      await screen.findByText('There is already a person with the email ada@example.com'),
    ).toBeInTheDocument();

    await userEvent.clear(screen.getByLabelText('Email'));
    await userEvent.type(screen.getByLabelText('Email'), 'lars@example.com');
    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), 'Lars Hendriksen');
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'Manager');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByLabelText('Sign-in link for Lars Hendriksen')).toHaveValue(
      'http://127.0.0.1:8080/auth/link/abc',
    );
    expect(requests.filter((r) => r.method === 'POST').at(-1)?.body).toEqual({
      email: 'lars@example.com',
      name: 'Lars Hendriksen',
      role: 'manager',
    });
    await waitFor(() => expect(row('Lars Hendriksen')).toBeInTheDocument());
  });

  it('changes a role, and says why when the service refuses', async () => {
    const { requests } = service();
    renderWithClient(
      <>
        <PeoplePage me={ada} />
        <Toaster />
      </>,
    );
    await screen.findByRole('listitem', { name: 'Sanne de Vries' });
    await userEvent.selectOptions(screen.getByLabelText('Role of Sanne de Vries'), 'Manager');
    await waitFor(() => expect(screen.getByLabelText('Role of Sanne de Vries')).toHaveValue('manager'));
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ role: 'manager' });

    await userEvent.selectOptions(screen.getByLabelText('Role of Ada Admin'), 'Sales rep');
    expect(await screen.findByText('That would leave no active admin to manage people')).toBeInTheDocument();
    expect(screen.getByLabelText('Role of Ada Admin')).toHaveValue('admin');
  });

  it('deactivates after asking, reactivates, and makes a new sign-in link', async () => {
    const { requests } = service();
    renderWithClient(<PeoplePage me={ada} />);
    await screen.findByRole('listitem', { name: 'Sanne de Vries' });
    await userEvent.click(screen.getByRole('button', { name: 'Deactivate Sanne de Vries' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate Sanne de Vries?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(row('Sanne de Vries')).toHaveTextContent('Deactivated'));
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ active: false });

    await userEvent.click(screen.getByRole('button', { name: 'Reactivate Sanne de Vries' }));
    await waitFor(() => expect(row('Sanne de Vries')).not.toHaveTextContent('Deactivated'));

    await userEvent.click(screen.getByRole('button', { name: 'New sign-in link for Sanne de Vries' }));
    const linkDialog = await screen.findByRole('dialog', { name: 'Sign-in link for Sanne de Vries' });
    expect(within(linkDialog).getByLabelText('Sign-in link')).toHaveValue(
      'http://127.0.0.1:8080/auth/link/new',
    );
    expect(requests.at(-1)?.url.pathname).toBe('/auth/people/p-sanne/sign-in-link');
  });
});
