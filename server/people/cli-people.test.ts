// `npm run people`: the commands that set up who may sign in, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.ts';
import { runPeopleCommand, UsageError } from './cli-people.ts';
import { personOfAccessToken, useSignInLink } from './credentials.ts';
import { passwordMatches } from './passwords.ts';
import { findPerson } from './people.ts';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  store = openStore(database.url);
  await migrate(store);
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, typed?: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const answers = [...(typed ?? [])];
  await runPeopleCommand(store, argv, {
    env,
    askPassword: typed ? async () => answers.shift()! : undefined,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { out, err };
}

describe('npm run people', () => {
  it('adds a person with the password from PASSWORD, linked to a new employee of that name', async () => {
    const { out } = await run(
      ['add', '--email', 'First.Admin@Example.com', '--name', 'Fay Admin', '--role', 'admin'],
      { PASSWORD: 'a long admin password' },
    );
    expect(out).toEqual([
      'Added Fay Admin <first.admin@example.com> as admin, linked to the employee Fay Admin.',
    ]);
    const found = await findPerson(store, { email: 'first.admin@example.com' });
    expect(found?.person).toMatchObject({ role: 'admin', employeeName: 'Fay Admin', active: true });
    expect(await passwordMatches('a long admin password', found?.passwordHash)).toBe(true);
  });

  it('asks for the password twice on a terminal, and refuses when the two differ', async () => {
    await run(['add', '--email', 'rep@example.com', '--name', 'Rob Rep', '--role', 'rep'], {}, [
      'typed password 1',
      'typed password 1',
    ]);
    const found = await findPerson(store, { email: 'rep@example.com' });
    expect(await passwordMatches('typed password 1', found?.passwordHash)).toBe(true);
    await expect(
      run(['add', '--email', 'two@example.com', '--name', 'Two', '--role', 'rep'], {}, [
        'one password',
        'another one',
      ]),
    ).rejects.toThrow(/differ/);
    await expect(
      run(['add', '--email', 'three@example.com', '--name', 'Three', '--role', 'rep']),
    ).rejects.toThrow(/set PASSWORD/);
    expect(await findPerson(store, { email: 'two@example.com' })).toBeUndefined();
  });

  it('lists people, prints a working personal token and a one-time link, and removes a person', async () => {
    const { out } = await run(['list']);
    expect(out).toEqual([
      'first.admin@example.com\tFay Admin\tadmin\tnever signed in',
      'rep@example.com\tRob Rep\trep\tnever signed in',
    ]);
    const token = (await run(['token', '--email', 'rep@example.com', '--name', 'nightly export'])).out[0];
    expect((await personOfAccessToken(store, token))?.email).toBe('rep@example.com');
    const link = (await run(['link', '--email', 'rep@example.com'], { PORT: '9000' })).out[0];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:9000\/auth\/link\/[\w-]{43}$/);
    expect((await useSignInLink(store, link.split('/').pop()!))?.person.email).toBe('rep@example.com');
    await run(['remove', '--email', 'rep@example.com']);
    expect(await findPerson(store, { email: 'rep@example.com' })).toBeUndefined();
    expect(await personOfAccessToken(store, token)).toBeUndefined();
  });

  it('says what is wrong: unknown command, missing option, unknown person, bad role, last admin', async () => {
    await expect(run(['frob'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['add', '--email', 'x@example.com'])).rejects.toThrow(/--name/);
    await expect(run(['token', '--email', 'ghost@example.com'])).rejects.toThrow(
      /no person with the email ghost/,
    );
    await expect(
      run(['add', '--email', 'x@example.com', '--name', 'X', '--role', 'boss'], {
        PASSWORD: 'long enough pass',
      }),
    ).rejects.toThrow(/rep, manager, admin/);
    await run(['add', '--email', 'other@example.com', '--name', 'Otto', '--role', 'rep'], {
      PASSWORD: 'long enough pass',
    });
    await expect(run(['remove', '--email', 'first.admin@example.com'])).rejects.toThrow(/no active admin/);
  });
});
