// What the import and export commands share: the database, progress on a terminal, numbers.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defaultDatabaseUrl, isPostgresUrl } from '../db/database.ts';
import { setsInDependencyOrder } from '../model/model.ts';

export const databaseUrl = (env: NodeJS.ProcessEnv = process.env) => env.DATABASE_URL || defaultDatabaseUrl;

/** A SQLite file that is not there yet: an export has nothing to read. */
export function missingSqliteFile(url: string): string | undefined {
  if (isPostgresUrl(url) || url === ':memory:') return undefined;
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  return existsSync(file) ? undefined : file;
}

export const count = (n: number) => n.toLocaleString('en');

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const rate = (n: number, ms: number) => `${count(Math.round((n * 1000) / Math.max(ms, 1)))}/s`;

/** A line on stderr rewritten in place, at most a few times a second; nothing when stderr is not a terminal. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = Boolean(stream.isTTY);
  let last = 0;
  let shown = false;
  return {
    update(text: () => string, force = false) {
      if (!enabled) return;
      const now = Date.now();
      if (!force && now - last < 200) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${text()}`);
    },
    /** clears the line, before other output */
    clear() {
      if (enabled && shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** The order in which to import the sets, so that every link finds its target. */
export const importOrder = setsInDependencyOrder();

/** Runs a command's main when its file is the one Node was started with (not when a test imports it). */
export function runAsCommand(moduleUrl: string, main: (args: string[]) => Promise<number>) {
  if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href) {
    main(process.argv.slice(2)).then((code) => {
      process.exitCode = code;
    });
  }
}
