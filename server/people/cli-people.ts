// npm run people -- add|list|token|link|password|remove
// Sets up who may sign in, on the database of DATABASE_URL (default data/dealdeck.db): the first
// admin of a new installation, and the way back in for an admin who lost their password.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readConfig } from '../config.ts';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { ODataError } from '../query/errors.ts';
import { databaseUrl } from '../transfer/cli-support.ts';
import { createAccessToken, createSignInLink } from './credentials.ts';
import { addPerson, findPerson, listPeople, removePerson, setPassword } from './people.ts';

const usage = `Usage: npm run people -- <command> [options]
  add --email E --name N --role rep|manager|admin
                      adds a person, linked to the employee named N (made if there is none);
                      the password comes from PASSWORD, or is asked on a terminal
  list                lists the people
  token --email E [--name N]
                      prints a new personal access token of that person (for scripts)
  link --email E      prints a one-time sign-in link, valid 24 hours
  password --email E  sets a new password (from PASSWORD, or asked)
  remove --email E    removes the person (their deals keep their sales representative)
The database is DATABASE_URL (default data/dealdeck.db).`;

export class UsageError extends Error {}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** asks for a password without echoing it; undefined when there is no terminal to ask on */
  askPassword?: (prompt: string) => Promise<string>;
  out: (line: string) => void;
  err: (line: string) => void;
}

const linkValidMs = 24 * 60 * 60_000;

export async function runPeopleCommand(store: Store, argv: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(usage);
    return;
  }
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  const email = () => {
    if (!values.email) throw new UsageError(`${command} needs --email`);
    return values.email;
  };
  const person = async () => {
    const found = await findPerson(store, { email: email() });
    if (!found) throw new UsageError(`there is no person with the email ${email()} (npm run people -- list)`);
    return found.person;
  };
  const password = async (): Promise<string> => {
    if (io.env.PASSWORD) return io.env.PASSWORD;
    if (!io.askPassword)
      throw new UsageError('set PASSWORD=<password>, or run this on a terminal to be asked');
    const first = await io.askPassword('Password: ');
    const again = await io.askPassword('Password again: ');
    if (first !== again) throw new UsageError('the two passwords differ');
    return first;
  };

  switch (command) {
    case 'add': {
      if (!values.name) throw new UsageError('add needs --name');
      if (!values.role) throw new UsageError('add needs --role rep, manager or admin');
      const added = await addPerson(store, {
        email: email(),
        name: values.name,
        role: values.role,
        password: await password(),
      });
      io.out(
        `Added ${added.name} <${added.email}> as ${added.role}, linked to the employee ${added.employeeName}.`,
      );
      return;
    }
    case 'list': {
      const people = await listPeople(store);
      if (!people.length) {
        io.out('Nobody yet. Add the first admin: npm run people -- add --email E --name N --role admin');
        return;
      }
      for (const p of people) {
        const state = [p.active ? '' : 'deactivated', p.hasPassword ? '' : 'no password']
          .filter(Boolean)
          .join(', ');
        const signedIn = p.lastSignInAt
          ? `last signed in ${p.lastSignInAt.slice(0, 16).replace('T', ' ')}`
          : 'never signed in';
        io.out(`${p.email}\t${p.name}\t${p.role}\t${signedIn}${state ? `\t(${state})` : ''}`);
      }
      return;
    }
    case 'token': {
      const owner = await person();
      const created = await createAccessToken(store, owner.id, values.name ?? 'command line');
      io.err(`A personal token "${created.name}" of ${owner.name} (${owner.role}); it is shown only now:`);
      io.out(created.token);
      return;
    }
    case 'link': {
      const owner = await person();
      const secret = await createSignInLink(store, owner.id, 'invite', linkValidMs);
      const config = readConfig(io.env);
      const origin = config.auth.publicUrl?.replace(/\/+$/, '') ?? `http://${config.host}:${config.port}`;
      io.err(`A one-time sign-in link for ${owner.name}, valid 24 hours:`);
      io.out(`${origin}/auth/link/${secret}`);
      return;
    }
    case 'password': {
      const owner = await person();
      await setPassword(store, owner.id, await password());
      io.out(`The password of ${owner.name} is set.`);
      return;
    }
    case 'remove': {
      const owner = await person();
      await removePerson(store, owner.email);
      io.out(`Removed ${owner.name} <${owner.email}>.`);
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** A password typed on the terminal, not echoed. */
function askOnTerminal(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const silenced = rl as unknown as { _writeToOutput: (text: string) => void };
    silenced._writeToOutput = (text) => {
      if (text.includes(prompt)) process.stderr.write(prompt);
    };
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

async function main() {
  const store = openStore(databaseUrl());
  try {
    await migrate(store);
    await runPeopleCommand(store, process.argv.slice(2), {
      env: process.env,
      askPassword: process.stdin.isTTY ? askOnTerminal : undefined,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`people: ${error.message}\n\n${usage}`);
    } else if (error instanceof ODataError) {
      console.error(`people: ${error.message}`);
    } else {
      console.error(`people: ${(error as Error).message}`);
    }
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
