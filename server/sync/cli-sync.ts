// npm run sync -- --from <service root> [--token T | --client-id ID --client-secret S --token-url URL [--scope S]]
// Mirrors the entity sets of a live OData service into the database of DATABASE_URL (default
// data/dealdeck.db), migrating it first; a second run copies what changed (sync.ts).
import { parseArgs } from 'node:util';
import { openStore } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { count, databaseUrl, progressLine, runAsCommand, seconds } from '../transfer/cli-support.ts';
import type { ClientCredentials } from './client-credentials.ts';
import { SourceError } from './source-error.ts';
import { syncFrom } from './sync.ts';

const usage = `Usage: npm run sync -- --from <service root> [credentials] [options]
  --from <url>            the source's service root, e.g. https://api.tribecrm.nl/v1/odata
Credentials (environment variables in brackets, so that secrets stay out of the shell history):
  --token <T>             a bearer token [SYNC_TOKEN]
  --client-id <ID>        OAuth2 client credentials [SYNC_CLIENT_ID]
  --client-secret <S>     [SYNC_CLIENT_SECRET]
  --token-url <URL>       e.g. https://auth.tribecrm.nl/oauth2/token [SYNC_TOKEN_URL]
  --scope <S>             e.g. "read write offline" [SYNC_SCOPE]
Options:
  --page-size <N>         records per page asked of the source (default 1000)
  --no-delta              do not ask for delta links; find changes by LastMutationDate
The target is DATABASE_URL (default data/dealdeck.db). Run it again to copy what changed since;
an interrupted run resumes where it stopped.`;

class UsageError extends Error {}

function parse(argv: string[], env: NodeJS.ProcessEnv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      token: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'token-url': { type: 'string' },
      scope: { type: 'string' },
      'page-size': { type: 'string' },
      'no-delta': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.from) throw new UsageError('--from <service root> is required');
  const token = values.token ?? env.SYNC_TOKEN;
  const clientId = values['client-id'] ?? env.SYNC_CLIENT_ID;
  const clientSecret = values['client-secret'] ?? env.SYNC_CLIENT_SECRET;
  const tokenUrl = values['token-url'] ?? env.SYNC_TOKEN_URL;
  const scope = values.scope ?? env.SYNC_SCOPE;
  let credentials: ClientCredentials | undefined;
  if (clientId || clientSecret || tokenUrl) {
    if (!clientId || !clientSecret || !tokenUrl)
      throw new UsageError('client credentials need all of --client-id, --client-secret and --token-url');
    if (token) throw new UsageError('give either --token or client credentials, not both');
    credentials = { clientId, clientSecret, tokenUrl, scope };
  }
  const pageSize = values['page-size'] === undefined ? 1000 : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new UsageError(`--page-size must be a positive whole number, not ${values['page-size']}`);
  return { from: values.from, token, credentials, pageSize, changeTracking: !values['no-delta'] };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv, env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (!args) {
    console.log(usage);
    return 0;
  }
  const url = databaseUrl(env);
  const store = openStore(url);
  const progress = progressLine();
  const started = Date.now();
  try {
    await migrate(store);
    const summary = await syncFrom(store, {
      ...args,
      log: (line) => {
        progress.clear();
        console.error(line);
      },
      progress: (line) => progress.update(() => line),
    });
    progress.clear();
    const records = summary.sets.reduce((sum, set) => sum + set.records, 0);
    const written = summary.sets.reduce((sum, set) => sum + set.written, 0);
    console.error(
      `Synced ${summary.sets.length} entity sets from ${summary.source} into ${url} in ${seconds(Date.now() - started)}: ${count(records)} records read, ${count(written)} written, ${count(summary.removed)} removed${summary.problems ? `; ${count(summary.problems)} refused (above)` : ''}`,
    );
    return summary.problems ? 1 : 0;
  } catch (error) {
    progress.clear();
    if (error instanceof SourceError) {
      // what was copied stays, and where each set stands: once fixed, the same command resumes
      console.error(error.message);
      return 1;
    }
    console.error(`Sync stopped: ${(error as Error).message}\nRun the same command again to resume.`);
    return 1;
  } finally {
    await store.close();
  }
}

runAsCommand(import.meta.url, main);
