import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import type { PersonalToken } from '../api/tokens-query';
import { TokensPage } from './TokensPage';

const tom: Person = {
  id: 'p-tom',
  email: 'tom@example.com',
  name: 'Tom Jansen',
  role: 'rep',
  employeeId: null,
  employeeName: null,
  hasPassword: true,
};

afterEach(() => vi.unstubAllGlobals());

function service() {
  let tokens: PersonalToken[] = [
    {
      id: 't1',
      name: 'Excel report',
      prefix: 'ddk_Ab12',
      createdAt: '2026-11-02T10:00:00Z',
      lastUsedAt: '2026-11-20T08:00:00Z',
    },
  ];
  return fakeService({
    'GET /auth/tokens': () => ({ body: { value: tokens } }),
    'POST /auth/tokens': ({ body }) => {
      const created = {
        id: 't2',
        name: (body as { name: string }).name,
        prefix: 'ddk_Zz99',
        createdAt: '2026-12-01T10:00:00Z',
        lastUsedAt: null,
      };
      tokens = [...tokens, created];
      return { status: 201, body: { ...created, token: 'ddk_Zz99-the-whole-secret' } };
    },
    'DELETE /auth/tokens/': ({ url }) => {
      tokens = tokens.filter((t) => !url.pathname.endsWith(`/${t.id}`));
      return { status: 204 };
    },
  });
}

describe('TokensPage', () => {
  it('lists the tokens with prefix, creation and last use', async () => {
    service();
    renderWithClient(<TokensPage person={tom} />);
    const list = await screen.findByRole('list', { name: 'Your tokens' });
    const item = within(list).getByText('Excel report').closest('li')!;
    expect(item).toHaveTextContent('ddk_Ab12…');
    expect(item).toHaveTextContent('created 2 Nov 2026');
    expect(item).toHaveTextContent('last used 20 Nov 2026');
  });

  it('creates a token and shows it once, with a warning and a copy button', async () => {
    const { requests } = service();
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderWithClient(<TokensPage person={tom} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Create token' }));
    expect(screen.getByText(/Name the token/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Token name'), 'Nightly sync');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('shown only this once');
    expect(screen.getByLabelText('Token “Nightly sync”')).toHaveValue('ddk_Zz99-the-whole-secret');
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('ddk_Zz99-the-whole-secret');
    expect(screen.getByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ name: 'Nightly sync' });
    // the list has it, by its prefix only
    const list = screen.getByRole('list', { name: 'Your tokens' });
    await waitFor(() => expect(within(list).getByText('Nightly sync')).toBeInTheDocument());
    expect(list).not.toHaveTextContent('the-whole-secret');
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('ddk_Zz99-the-whole-secret')).toBeNull();
  });

  it('revokes a token after asking', async () => {
    const { requests } = service();
    renderWithClient(<TokensPage person={tom} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke Excel report' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “Excel report”?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke Excel report' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(screen.queryByText('Excel report')).toBeNull());
    expect(requests.find((r) => r.method === 'DELETE')?.url.pathname).toBe('/auth/tokens/t1');
    expect(screen.getByText('No tokens yet.')).toBeInTheDocument();
  });
});
