// Webhooks, for admins: the services Dealdeck POSTs every change to (README, Webhooks). Adding
// one shows its signing secret once; each can be paused, resumed, deleted, and its delivery log
// opened.
import type { Person } from '../../api/person';
import { Page } from '../../ui/Page';
import { CreateWebhook } from './CreateWebhook';
import { WebhookList } from './WebhookList';

export function WebhooksPage({ me }: { me: Person }) {
  if (me.role !== 'admin') {
    return (
      <Page title="Webhooks">
        <p className="rounded-xl bg-white p-6 text-sm text-slate-600 shadow-sm ring-1 ring-slate-200">
          Only admins manage webhooks: they send every change to another service.
        </p>
      </Page>
    );
  }
  return (
    <Page
      wide
      title="Webhooks"
      description="Dealdeck POSTs each change of the records you choose to these addresses, signed with their secret, in order per record, and retries for a day when the receiver fails."
    >
      <CreateWebhook />
      <WebhookList />
    </Page>
  );
}
