// /v1/webhooks: the webhook subscriptions, for admins (README, Webhooks). Plain JSON, errors as
// OData error JSON. app.ts authenticates first (the same credentials as /v1/odata, with the
// same-origin check for writes signed in by cookie).
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { assertManagesWebhooks } from '../access/policy.ts';
import type { Store } from '../db/database.ts';
import { ODataError } from '../query/errors.ts';
import {
  createSubscription,
  type DeliveryStatus,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  loadSubscription,
  notFound,
  parseSubscriptionInput,
  subscribableSets,
  updateSubscription,
  viewSubscription,
} from './subscriptions.ts';
import type { WebhookSettings } from './webhook-settings.ts';

export const webhooksPath = '/v1/webhooks';

const maxBodyBytes = 16 * 1024;

const tooLarge = () => {
  throw new ODataError(413, 'PayloadTooLarge', `A subscription is at most ${maxBodyBytes} bytes of JSON`);
};

async function bodyOf(c: Context) {
  const text = await c.req.text();
  if (!(c.req.header('Content-Type') ?? '').toLowerCase().startsWith('application/json'))
    throw new ODataError(
      415,
      'UnsupportedMediaType',
      'Send the subscription as Content-Type: application/json',
    );
  return parseSubscriptionInput(text);
}

const statuses: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export function webhookRoutes(
  store: Store,
  settings: WebhookSettings,
  /** a subscription was made or changed: deliver from now on without waiting */
  onChange: () => void = () => {},
) {
  const routes = new Hono();
  routes.use(async (c, next) => {
    assertManagesWebhooks(c.get('principal'));
    await next();
  });
  // a body is read only up to the limit
  routes.use(bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge }));
  routes.get('/', async (c) => c.json({ value: await listSubscriptions(store), sets: subscribableSets() }));
  routes.post('/', async (c) => {
    const principal = c.get('principal');
    const { view, secret } = await createSubscription(store, await bodyOf(c), principal.name, settings);
    onChange();
    c.header('Location', `${webhooksPath}/${view.id}`);
    return c.json({ ...view, secret }, 201);
  });
  routes.get('/:id', async (c) => {
    const view = await viewSubscription(store, c.req.param('id'));
    if (!view) throw notFound(c.req.param('id'));
    return c.json(view);
  });
  routes.patch('/:id', async (c) => {
    const input = await bodyOf(c);
    const view = await updateSubscription(store, c.req.param('id'), input, settings);
    onChange();
    return c.json(view);
  });
  routes.delete('/:id', async (c) => {
    await deleteSubscription(store, c.req.param('id'));
    onChange();
    return c.body(null, 204);
  });
  routes.get('/:id/deliveries', async (c) => {
    const id = c.req.param('id');
    if (!(await loadSubscription(store, id))) throw notFound(id);
    const status = c.req.query('status');
    if (status !== undefined && !statuses.includes(status as DeliveryStatus))
      throw new ODataError(
        400,
        'BadRequest',
        `status is pending, delivered or failed, not '${status.slice(0, 40)}'`,
      );
    const topText = c.req.query('top') ?? '50';
    const top = Number(topText);
    if (!/^\d+$/.test(topText) || top < 1 || top > 500)
      throw new ODataError(
        400,
        'BadRequest',
        `top is a number of deliveries from 1 to 500, not '${topText.slice(0, 40)}'`,
      );
    return c.json({
      value: await listDeliveries(store, id, { status: status as DeliveryStatus | undefined, top }),
    });
  });
  const notAllowed = (allowed: string) => () => {
    throw new ODataError(405, 'MethodNotAllowed', `Here: ${allowed} (README, Webhooks)`);
  };
  routes.all('/', notAllowed('GET lists the webhooks, POST adds one'));
  routes.all('/:id', notAllowed('GET, PATCH or DELETE a webhook'));
  routes.all('/:id/deliveries', notAllowed('GET the delivery log'));
  routes.all('*', (c) => {
    throw new ODataError(404, 'NotFound', `${c.req.path} is not a webhook resource: see README, Webhooks`);
  });
  return routes;
}
