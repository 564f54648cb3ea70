import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { authKeys } from '../../api/query-keys';
import { saveSettings } from '../../lib/settings-store';
import { fakeService } from '../../test/fake-service';
import { createTestClient, renderWithClient } from '../../test/render-with-client';
import { sanneEmployee, tom, tomEmployee } from '../../test/test-people';
import { QuickAdd } from './QuickAdd';

const pipelineId = '00000000-0000-4000-8000-000000000001';
const phaseId = '00000000-0000-4000-8000-00000000000a';

afterEach(() => {
  vi.unstubAllGlobals();
  saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
});

async function add(person: Person | null, choose?: string) {
  const { requests } = fakeService({
    'POST /v1/odata/Activity_SalesOpportunity': ({ body }) => ({
      status: 201,
      body: { ID: 'new', ...(body as object) },
    }),
    'GET /v1/odata/Relation_Person_Contact_Employee': () => ({
      body: { value: [tomEmployee, sanneEmployee] },
    }),
    'GET /v1/odata/': () => ({ body: { value: [] } }),
  });
  const client = createTestClient();
  if (person) client.setQueryData(authKeys.session(), { person, repSees: 'all' });
  const onDone = vi.fn();
  renderWithClient(
    <QuickAdd pipelineId={pipelineId} phaseId={phaseId} phaseName="Lead" topSortIndex={5} onDone={onDone} />,
    client,
  );
  await userEvent.type(screen.getByLabelText('Subject'), 'New deal');
  if (choose) {
    await waitFor(() => expect(screen.getByRole('option', { name: choose })).toBeInTheDocument());
    await userEvent.selectOptions(screen.getByLabelText('Sales rep'), choose);
  }
  await userEvent.click(screen.getByRole('button', { name: 'Add' }));
  await waitFor(() => expect(onDone).toHaveBeenCalled());
  return requests.find((r) => r.method === 'POST')!.body as Record<string, unknown>;
}

describe('QuickAdd', () => {
  it("assigns a rep's deal to themself by default", async () => {
    const body = await add(tom);
    expect(body).toMatchObject({ Subject: 'New deal', SalesRepresentative: { ID: tomEmployee.ID } });
  });

  it('lets a rep leave it unassigned, and offers them no other rep', async () => {
    const body = await add(tom, 'Unassigned');
    expect(body.SalesRepresentative).toBeNull();
    expect(screen.queryByRole('option', { name: 'Sanne de Vries' })).toBeNull();
  });

  it('lets a manager choose any rep, unassigned by default', async () => {
    expect((await add({ ...tom, role: 'manager' })).SalesRepresentative).toBeNull();
  });

  it("lets a manager assign another rep's deal", async () => {
    const body = await add({ ...tom, role: 'manager' }, 'Sanne de Vries');
    expect(body.SalesRepresentative).toEqual({ ID: sanneEmployee.ID });
  });

  it('leaves the rep to another service, where nobody is signed in', async () => {
    saveSettings({ baseUrl: 'https://crm.example.com/v1/odata', token: 'secret', staleDays: 14 });
    const body = await add(null);
    expect(body).not.toHaveProperty('SalesRepresentative');
    expect(screen.queryByLabelText('Sales rep')).toBeNull();
  });
});
