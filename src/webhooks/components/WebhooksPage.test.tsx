import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../api/person';
import { fakeService } from '../../test/fake-service';
import { renderWithClient } from '../../test/render-with-client';
import { Toaster } from '../../ui/Toaster';
import type { Delivery } from '../api/deliveries-query';
import type { Webhook } from '../api/webhooks-query';
import { WebhooksPage } from './WebhooksPage';

const ada = {
  id: 'p-ada',
  email: 'ada@example.com',
  name: 'Ada Admin',
  role: 'admin',
  employeeId: null,
} as Person;

const invoicing: Webhook = {
  id: 'w-1',
  url: 'https://invoices.example.com/hooks',
  sets: ['Activity_SalesOpportunity'],
  kinds: ['created', 'updated', 'deleted'],
  active: true,
  description: 'Invoicing',
  createdAt: '2026-11-30T10:00:00Z',
  createdBy: 'Ada Admin',
  lastDelivery: {
    id: 'd-2',
    sequence: 12,
    status: 'pending',
    attempts: 2,
    lastAttemptAt: '2026-12-01T09:00:00Z',
    responseStatus: 503,
    error: 'The receiver answered 503',
  },
  pending: 1,
  failed: 0,
};

const log: Delivery[] = [
  {
    ...invoicing.lastDelivery!,
    set: 'Activity_SalesOpportunity',
    recordId: '8f0c2a4e-0000-4000-8000-000000000001',
    kind: 'updated',
    createdAt: '2026-12-01T08:59:00Z',
    nextAttemptAt: '2026-12-01T09:01:00Z',
    finishedAt: null,
  },
  {
    id: 'd-1',
    sequence: 11,
    status: 'delivered',
    attempts: 1,
    lastAttemptAt: '2026-12-01T08:00:00Z',
    responseStatus: 200,
    error: null,
    set: 'Activity_SalesOpportunity',
    recordId: '8f0c2a4e-0000-4000-8000-000000000001',
    kind: 'created',
    createdAt: '2026-12-01T08:00:00Z',
    nextAttemptAt: null,
    finishedAt: '2026-12-01T08:00:01Z',
  },
];

afterEach(() => vi.unstubAllGlobals());

function service() {
  let webhooks = [invoicing];
  return fakeService({
    'GET /v1/webhooks/w-1/deliveries': () => ({ body: { value: log } }),
    'GET /v1/webhooks': () => ({
      body: { value: webhooks, sets: ['Activity_SalesOpportunity', 'Relationship_Organization'] },
    }),
    'POST /v1/webhooks': ({ body }) => {
      const { url, sets, kinds, description } = body as Webhook;
      if (url.includes('10.0.0.5'))
        return {
          status: 400,
          body: {
            error: {
              code: 'PrivateTarget',
              target: 'url',
              message: '10.0.0.5 is a loopback, private, link-local or otherwise non-public address',
            },
          },
        };
      const made: Webhook = {
        ...invoicing,
        id: 'w-2',
        url,
        sets,
        kinds,
        description,
        lastDelivery: null,
        pending: 0,
      };
      webhooks = [...webhooks, made];
      return { status: 201, body: { ...made, secret: 'whsec_shown-once' } };
    },
    'PATCH /v1/webhooks/': ({ url, body }) => {
      webhooks = webhooks.map((w) =>
        url.pathname.endsWith(w.id) ? { ...w, ...(body as Partial<Webhook>) } : w,
      );
      return { body: webhooks.find((w) => url.pathname.endsWith(w.id)) };
    },
    'DELETE /v1/webhooks/': ({ url }) => {
      webhooks = webhooks.filter((w) => !url.pathname.endsWith(w.id));
      return { status: 204 };
    },
  });
}

const item = (name: string) =>
  within(screen.getByRole('list', { name: 'Webhooks' })).getByRole('listitem', { name });

describe('WebhooksPage', () => {
  it('is for admins only', () => {
    const { requests } = service();
    renderWithClient(<WebhooksPage me={{ ...ada, role: 'manager' }} />);
    expect(screen.getByText(/Only admins manage webhooks/)).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });

  it('lists webhooks with their last delivery, and adds one, showing its secret once', async () => {
    const { requests } = service();
    renderWithClient(<WebhooksPage me={ada} />);
    const row = await screen.findByRole('listitem', { name: 'Invoicing' });
    expect(row).toHaveTextContent('https://invoices.example.com/hooks');
    expect(row).toHaveTextContent('Active');
    expect(row).toHaveTextContent('Activity_SalesOpportunity · created, updated, deleted');
    expect(row).toHaveTextContent('Last delivery: Retrying');
    expect(row).toHaveTextContent('The receiver answered 503 · 2 attempts');

    await userEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(screen.getByLabelText('Target URL')).toHaveAccessibleDescription(
      'Enter the address to send changes to, e.g. https://example.com/hooks/dealdeck.',
    );
    await userEvent.type(screen.getByLabelText('Target URL'), 'http://10.0.0.5/hooks');
    await userEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    // the service's refusal, at the field
    await waitFor(() =>
      expect(screen.getByLabelText('Target URL')).toHaveAccessibleDescription(
        '10.0.0.5 is a loopback, private, link-local or otherwise non-public address',
      ),
    );

    await userEvent.clear(screen.getByLabelText('Target URL'));
    await userEvent.type(screen.getByLabelText('Target URL'), 'https://crm.example.com/in');
    await userEvent.type(screen.getByLabelText('Description (optional)'), 'CRM');
    await userEvent.click(screen.getByLabelText('Only the sets chosen'));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Relationship_Organization' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Updated' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(await screen.findByLabelText('Signing secret')).toHaveValue('whsec_shown-once');
    expect(requests.filter((r) => r.method === 'POST').at(-1)?.body).toEqual({
      url: 'https://crm.example.com/in',
      description: 'CRM',
      sets: ['Relationship_Organization'],
      kinds: ['created', 'deleted'],
    });
    expect(await screen.findByRole('listitem', { name: 'CRM' })).toHaveTextContent('Nothing sent yet');
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Signing secret')).not.toBeInTheDocument();
  });

  it('pauses, resumes, opens the delivery log, and deletes after asking', async () => {
    const { requests } = service();
    renderWithClient(
      <>
        <WebhooksPage me={ada} />
        <Toaster />
      </>,
    );
    await screen.findByRole('listitem', { name: 'Invoicing' });
    await userEvent.click(screen.getByRole('button', { name: 'Pause Invoicing' }));
    await waitFor(() => expect(item('Invoicing')).toHaveTextContent('Paused'));
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ active: false });
    await userEvent.click(screen.getByRole('button', { name: 'Resume Invoicing' }));
    await waitFor(() => expect(item('Invoicing')).toHaveTextContent('Active'));

    const logButton = screen.getByRole('button', { name: 'Delivery log of Invoicing' });
    await userEvent.click(logButton);
    expect(logButton).toHaveAttribute('aria-expanded', 'true');
    const table = await screen.findByRole('table', { name: 'Delivery log of Invoicing, newest first' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('#12 updated');
    expect(rows[0]).toHaveTextContent('Retrying');
    expect(rows[1]).toHaveTextContent('#11 created');
    expect(rows[1]).toHaveTextContent('Delivered');
    expect(rows[1]).toHaveTextContent('The receiver answered 200 · 1 attempt');

    await userEvent.click(screen.getByRole('button', { name: 'Delete Invoicing' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Invoicing?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No webhooks yet')).toBeInTheDocument();
    expect(requests.at(-1)?.method).toBe('DELETE');
    expect(requests.at(-1)?.url.pathname).toBe('/v1/webhooks/w-1');
  });
});
