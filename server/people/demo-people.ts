// People for the demo data, and what `npm start` says about signing in. The demo's Head of
// sales signs in as an admin (a manager who also manages people), the other demo employees as
// reps; none has a password: the head of sales gets a one-time link at start, the reps a link
// from People.
import type { Store } from '../db/database.ts';
import { ownDomain } from '../demo/names.ts';
import { createSignInLink } from './credentials.ts';
import { addPerson, hasPeople, listPeople } from './people.ts';

const managerTitle = 'Head of sales';
/** short, and only for loopback: whoever reads the terminal is the one who started it */
export const demoLinkValidMs = 15 * 60_000;

export async function addDemoPeople(store: Store) {
  if (await hasPeople(store)) return;
  const employees = (await store.db
    .selectFrom('relation')
    .select(['ID', '_Name', 'EmailAddress', 'JobTitle'])
    .where('_Type', '=', 'Relation.Person.Contact.Employee')
    .where('EmailAddress', 'like', `%@${ownDomain}`)
    .orderBy('SortIndex')
    .execute()) as { ID: string; _Name: string; EmailAddress: string; JobTitle: string | null }[];
  for (const employee of employees) {
    await addPerson(store, {
      email: employee.EmailAddress,
      name: employee._Name,
      role: employee.JobTitle === managerTitle ? 'admin' : 'rep',
      employeeId: employee.ID,
    });
  }
}

/** The demo's admin while nobody has set a password for them: the one a newcomer signs in as. */
async function demoAdmin(store: Store) {
  const people = await listPeople(store);
  return people.find(
    (p) => p.role === 'admin' && p.active && !p.hasPassword && p.email.endsWith(`@${ownDomain}`),
  );
}

/**
 * The lines `npm start` prints about signing in: a one-time link for the demo admin (on a
 * loopback address only), how to add the first admin, or nothing when people are set up.
 */
export async function signInNotice(store: Store, options: { origin: string; loopback: boolean }) {
  if (!(await hasPeople(store))) {
    return [
      'Nobody can sign in yet. Add the first admin (the password is asked, or read from PASSWORD):',
      '  npm run people -- add --email you@example.com --name "Your Name" --role admin',
    ];
  }
  const admin = options.loopback ? await demoAdmin(store) : undefined;
  if (!admin) return [];
  const secret = await createSignInLink(store, admin.id, 'demo', demoLinkValidMs);
  return [
    `Sign in as ${admin.name}, the demo's head of sales (admin), with this one-time link (valid ${demoLinkValidMs / 60_000} minutes):`,
    `  ${options.origin}/auth/link/${secret}`,
  ];
}
