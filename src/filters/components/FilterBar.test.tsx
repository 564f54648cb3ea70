import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { authKeys } from '../../api/query-keys';
import { fakeService } from '../../test/fake-service';
import { createTestClient, renderWithClient } from '../../test/render-with-client';
import { sanneEmployee, tom } from '../../test/test-people';
import { FilterBar } from './FilterBar';

afterEach(() => vi.unstubAllGlobals());

function renderAs(person: Person) {
  fakeService({
    'GET /v1/odata/Relation_Person_Contact_Employee': () => ({ body: { value: [sanneEmployee] } }),
    'GET /v1/odata/': () => ({ body: { value: [] } }),
  });
  const client = createTestClient();
  client.setQueryData(authKeys.session(), { person, repSees: 'all' });
  renderWithClient(<FilterBar />, client);
}

describe('FilterBar: my deals', () => {
  it('is a toggle kept in the URL, and one or the other with a chosen rep', async () => {
    renderAs(tom);
    const mine = screen.getByRole('button', { name: 'My deals' });
    expect(mine).toHaveAttribute('aria-pressed', 'false');
    await userEvent.click(mine);
    expect(new URLSearchParams(window.location.search).get('mine')).toBe('1');
    expect(screen.getByRole('button', { name: 'My deals' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'Clear 1 filter' })).toBeInTheDocument();

    await waitFor(() => expect(screen.getByRole('option', { name: 'Sanne de Vries' })).toBeInTheDocument());
    await userEvent.selectOptions(screen.getByLabelText('Sales rep'), 'Sanne de Vries');
    const search = new URLSearchParams(window.location.search);
    expect(search.get('mine')).toBeNull();
    expect(search.get('rep')).toBe(sanneEmployee.ID);

    await userEvent.click(screen.getByRole('button', { name: 'My deals' }));
    expect(new URLSearchParams(window.location.search).get('rep')).toBeNull();
    expect(new URLSearchParams(window.location.search).get('mine')).toBe('1');
  });

  it('is not offered to someone who is no sales employee', () => {
    renderAs({ ...tom, role: 'manager', employeeId: null, employeeName: null });
    expect(screen.queryByRole('button', { name: 'My deals' })).toBeNull();
  });
});
