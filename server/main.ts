// `npm start`: the service with the built dashboard, configured by the environment.
// WORKERS=N runs N instances behind one port (Node's cluster module); they share the database.
import cluster from 'node:cluster';
import { isLoopback, readConfig } from './config.ts';
import { openStore } from './db/database.ts';
import { keepJournalFor } from './journal/journal-retention.ts';
import { signInNotice } from './people/demo-people.ts';
import { prepareDatabase, refuseWithoutPeople, startServer } from './start-server.ts';

async function main() {
  const config = readConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    // the schema and the demo data are made once, before the instances start
    const store = openStore(config.databaseUrl);
    await prepareDatabase(store, { demoData: config.demoData });
    await refuseWithoutPeople(store, config.host, config.auth);
    const origin = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    const notice = await signInNotice(store, { origin, loopback: isLoopback(config.host) });
    await store.close();
    let listening = 0;
    cluster.on('listening', () => {
      if (++listening === config.workers) {
        console.log(
          `Dealdeck is running at ${origin}/ with ${config.workers} instances (database: ${config.databaseUrl})`,
        );
        for (const line of notice) console.log(line);
      }
    });
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      console.error(`Instance ${worker.process.pid} stopped (${code}); starting another`);
      cluster.fork();
    });
    const stopAll = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
      process.exit(0);
    };
    process.on('SIGINT', stopAll);
    process.on('SIGTERM', stopAll);
    for (let i = 0; i < config.workers; i++) cluster.fork();
    return;
  }
  const server = await startServer({ ...config, staticDir: 'dist' });
  const stopPruning = keepJournalFor(server.store, config.journalKeepDays, (error) =>
    console.error(`Pruning the change journal failed: ${error.message}`),
  );
  if (cluster.isPrimary) {
    console.log(
      `Dealdeck is running at ${server.origin}/ (API: ${server.serviceRoot}, database: ${config.databaseUrl})`,
    );
    if (server.upstream) {
      console.log(
        `Proxy mode: ${server.serviceRoot} forwards to ${server.upstream.url}${server.upstream.grants ? ' with the token of the person asking (UPSTREAM_SIGN_IN=person; each connects in Settings)' : server.upstream.token ? '' : ' (without a token: no UPSTREAM_TOKEN_URL)'}`,
      );
    }
    const notice = await signInNotice(server.store, {
      origin: server.origin,
      loopback: isLoopback(config.host),
    });
    for (const line of notice) console.log(line);
  }
  const stop = async () => {
    stopPruning();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`Dealdeck could not start: ${error.message}`);
  process.exit(1);
});
