// `npm run bench:live`: the live board's figures alone (bench/live-board.ts; bench:ui runs them
// last). Options:
//   --postgres      on PostgreSQL too (also when TEST_DATABASE_URL is set), in the database
//                   dealdeck_bench_live under BENCH_DATABASE_URL, else TEST_DATABASE_URL (a role
//                   that may create databases)
//   --only LIST     latency,load (default both)
//   --samples N     write → card samples, half edits and half moves (default 40)
//   --clients N     open change streams (default 200), --rate N writes a second (default 50),
//   --seconds N     each measured window (default 10)
//   --profile DIR   a CPU profile of the service (node --cpu-prof) into DIR, for DevTools
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { benchLiveBoard, defaultLiveBench, liveBenchPostgres } from './live-board.ts';

const { values } = parseArgs({
  options: {
    postgres: { type: 'boolean', default: false },
    only: { type: 'string', default: 'latency,load' },
    samples: { type: 'string', default: String(defaultLiveBench.samples) },
    clients: { type: 'string', default: String(defaultLiveBench.clients) },
    rate: { type: 'string', default: String(defaultLiveBench.rate) },
    seconds: { type: 'string', default: String(defaultLiveBench.seconds) },
    profile: { type: 'string' },
  },
});
const whole = (name: 'samples' | 'clients' | 'rate' | 'seconds') => {
  const n = Number(values[name]);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name} must be a positive whole number`);
  return n;
};
const parts = new Set(values.only.split(','));
for (const part of parts)
  if (part !== 'latency' && part !== 'load') throw new Error('--only takes latency,load');

console.log('Building the dashboard…');
execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
await benchLiveBoard({
  seeded: 'data/bench-ui-open-5000.db',
  scale: '5,000 open opportunities',
  postgresBase: liveBenchPostgres(values.postgres),
  samples: whole('samples'),
  clients: whole('clients'),
  rate: whole('rate'),
  seconds: whole('seconds'),
  parts,
  profileDir: values.profile,
});
