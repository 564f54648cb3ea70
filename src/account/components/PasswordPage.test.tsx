import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { PasswordPage } from './PasswordPage';

const invited: Person = {
  id: 'p-lars',
  email: 'lars@example.com',
  name: 'Lars Hendriksen',
  role: 'rep',
  employeeId: null,
  employeeName: null,
  hasPassword: false,
};

afterEach(() => vi.unstubAllGlobals());

function service() {
  return fakeService({
    'POST /auth/password': ({ body }) =>
      (body as { currentPassword?: string }).currentPassword === 'not it'
        ? {
            status: 401,
            body: {
              error: {
                code: 'WrongPassword',
                message: 'The current password is not right',
                target: 'currentPassword',
              },
            },
          }
        : { status: 204 },
    'GET /auth/session': () => ({ body: { person: { ...invited, hasPassword: true }, repSees: 'all' } }),
  });
}

describe('PasswordPage', () => {
  it('lets an invited person choose a password, checked before it is sent', async () => {
    const { requests } = service();
    window.history.replaceState(null, '', '/welcome');
    renderWithClient(<PasswordPage person={invited} />);
    expect(screen.getByRole('heading', { name: 'Welcome, Lars Hendriksen' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Current password')).toBeNull();
    await userEvent.type(screen.getByLabelText('New password'), 'short');
    await userEvent.type(screen.getByLabelText('New password again'), 'other');
    await userEvent.click(screen.getByRole('button', { name: 'Save password' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/at least 10 characters/);
    expect(screen.getByLabelText('New password again')).toHaveAccessibleDescription(
      'The two passwords are not the same.',
    );
    expect(requests).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('New password'));
    await userEvent.type(screen.getByLabelText('New password'), 'correct horse battery');
    await userEvent.clear(screen.getByLabelText('New password again'));
    await userEvent.type(screen.getByLabelText('New password again'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Save password' }));
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(requests[0].body).toEqual({ newPassword: 'correct horse battery' });
  });

  it('asks for the current password to change one, and says when it is wrong', async () => {
    const { requests } = service();
    renderWithClient(<PasswordPage person={{ ...invited, hasPassword: true }} />);
    expect(screen.getByRole('heading', { name: 'Change your password' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Current password'), 'not it');
    await userEvent.type(screen.getByLabelText('New password'), 'correct horse battery');
    await userEvent.type(screen.getByLabelText('New password again'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(
        'The current password is not right',
      ),
    );
    expect(requests[0].body).toEqual({ currentPassword: 'not it', newPassword: 'correct horse battery' });
  });
});
