// People: the accounts that sign in, each with a role and linked to the employee record that is
// the SalesRepresentative of their deals. Used by the sign-in routes, the admin routes and the
// `npm run people` command alike.
import { randomUUID } from 'node:crypto';
import { isRole, type Principal, type Role, roles } from '../access/principal.ts';
import type { Store } from '../db/database.ts';
import { model } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { createEntity } from '../write/write-entity.ts';
import { checkNewPassword, hashPassword } from './passwords.ts';
import type { Person } from './person.ts';

export type { Person };

interface PersonRow {
  ID: string;
  Email: string;
  Name: string;
  Role: string;
  EmployeeID: string | null;
  PasswordHash: string | null;
  IsActive: number | boolean;
  CreatedAt: number | string;
  LastSignInAt: number | string | null;
  EmployeeName?: string | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isoOf = (millis: number | string | null) =>
  millis === null ? null : new Date(Number(millis)).toISOString();

function toPerson(row: PersonRow): Person {
  return {
    id: row.ID,
    email: row.Email,
    name: row.Name,
    role: isRole(row.Role) ? row.Role : 'rep',
    employeeId: row.EmployeeID,
    employeeName: row.EmployeeName ?? null,
    hasPassword: row.PasswordHash !== null,
    active: Boolean(Number(row.IsActive)),
    createdAt: isoOf(row.CreatedAt)!,
    lastSignInAt: isoOf(row.LastSignInAt),
  };
}

export const principalOf = (person: Person, via: Principal['via']): Principal => ({
  kind: 'person',
  id: person.id,
  name: person.name,
  role: person.role,
  employeeId: person.employeeId,
  via,
});

function selectPeople(store: Store) {
  return store.db
    .selectFrom('person as p')
    .leftJoin('relation as e', 'e.ID', 'p.EmployeeID')
    .select([
      'p.ID',
      'p.Email',
      'p.Name',
      'p.Role',
      'p.EmployeeID',
      'p.PasswordHash',
      'p.IsActive',
      'p.CreatedAt',
      'p.LastSignInAt',
      'e._Name as EmployeeName',
    ]);
}

export async function findPerson(store: Store, by: { id?: string; email?: string }) {
  let query = selectPeople(store);
  if (by.id !== undefined) query = query.where('p.ID', '=', by.id);
  if (by.email !== undefined) query = query.where('p.Email', '=', normalizeEmail(by.email));
  const row = (await query.executeTakeFirst()) as PersonRow | undefined;
  return row && { person: toPerson(row), passwordHash: row.PasswordHash };
}

/**
 * The person a session or personal token names, with the credential's own columns (as
 * `Credential<Column>`), in one query: every cookie or token request asks it.
 */
export async function findPersonByCredential<Column extends string>(
  store: Store,
  table: 'person_session' | 'person_token',
  tokenHash: string,
  columns: readonly Column[],
) {
  const row = (await selectPeople(store)
    .innerJoin(`${table} as c`, 'c.PersonID', 'p.ID')
    .select(columns.map((column) => `c.${column} as Credential${column}`))
    .where('c.TokenHash', '=', tokenHash)
    .executeTakeFirst()) as (PersonRow & Record<`Credential${Column}`, unknown>) | undefined;
  if (!row) return undefined;
  const credential = Object.fromEntries(
    columns.map((column) => [column, row[`Credential${column}`]]),
  ) as Record<Column, unknown>;
  return { person: toPerson(row), credential };
}

export async function listPeople(store: Store): Promise<Person[]> {
  const rows = (await selectPeople(store).orderBy('p.Name').orderBy('p.Email').execute()) as PersonRow[];
  return rows.map(toPerson);
}

export async function hasPeople(store: Store) {
  return (await store.db.selectFrom('person').select('ID').limit(1).executeTakeFirst()) !== undefined;
}

export interface NewPerson {
  email: unknown;
  name: unknown;
  role: unknown;
  password?: unknown;
  /** an employee record to link to; without it, one with the person's name (made if missing) */
  employeeId?: string;
}

export function checkRole(role: unknown): Role {
  if (!isRole(role)) {
    throw new ODataError(
      400,
      'InvalidRole',
      `The role must be one of ${roles.join(', ')}, not '${String(role)}'`,
      'role',
    );
  }
  return role;
}

export async function addPerson(store: Store, input: NewPerson, now = Date.now()): Promise<Person> {
  if (typeof input.email !== 'string' || !emailPattern.test(input.email.trim())) {
    throw new ODataError(
      400,
      'InvalidEmail',
      `'${String(input.email ?? '')}' is not an email address`,
      'email',
    );
  }
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 200) {
    throw new ODataError(400, 'InvalidName', 'A person needs a name (at most 200 characters)', 'name');
  }
  const role = checkRole(input.role);
  const email = normalizeEmail(input.email);
  const passwordHash =
    input.password === undefined || input.password === null || input.password === ''
      ? null
      : await hashPassword(checkNewPassword(input.password));
  const id = randomUUID();
  await store.transaction(async (tx) => {
    if (await findPerson(tx, { email })) {
      throw new ODataError(409, 'PersonExists', `There is already a person with the email ${email}`, 'email');
    }
    const employeeId = input.employeeId ?? (await employeeNamed(tx, name, email, now));
    await tx.db
      .insertInto('person')
      .values({
        ID: id,
        Email: email,
        Name: name,
        Role: role,
        EmployeeID: employeeId,
        PasswordHash: passwordHash,
        IsActive: 1,
        CreatedAt: now,
      })
      .execute();
  });
  return (await findPerson(store, { id }))!.person;
}

/** The employee record with this display name, or a new one: the person's deals point at it. */
async function employeeNamed(store: Store, name: string, email: string, now: number): Promise<string> {
  const employee = model.get('Relation.Person.Contact.Employee')!;
  const existing = (await store.db
    .selectFrom('relation')
    .select('ID')
    .where('_Type', '=', employee.name)
    .where('_Name', '=', name)
    .orderBy('CreationDate')
    .executeTakeFirst()) as { ID: string } | undefined;
  if (existing) return existing.ID;
  const words = name.split(/\s+/);
  const lastName = words.length > 1 ? words.pop()! : name;
  const result = await createEntity(
    store,
    employee,
    {
      FirstName: words.length && lastName !== name ? words.join(' ') : null,
      LastName: lastName,
      EmailAddress: email,
    },
    new Date(now).toISOString(),
  );
  return result.id;
}

export interface PersonChange {
  role?: unknown;
  active?: unknown;
  name?: unknown;
}

export async function updatePerson(store: Store, id: string, change: PersonChange): Promise<Person> {
  const values: Record<string, unknown> = {};
  if (change.role !== undefined) values.Role = checkRole(change.role);
  if (change.active !== undefined) {
    if (typeof change.active !== 'boolean') {
      throw new ODataError(400, 'InvalidValue', '"active" is true or false', 'active');
    }
    values.IsActive = change.active ? 1 : 0;
  }
  if (change.name !== undefined) {
    if (typeof change.name !== 'string' || !change.name.trim() || change.name.length > 200) {
      throw new ODataError(400, 'InvalidName', 'A person needs a name (at most 200 characters)', 'name');
    }
    values.Name = change.name.trim();
  }
  await store.transaction(async (tx) => {
    const found = await findPerson(tx, { id });
    if (!found) throw new ODataError(404, 'NotFound', `No person with ID ${id}`);
    if (Object.keys(values).length === 0) return;
    await tx.db.updateTable('person').set(values).where('ID', '=', id).execute();
    await keepAnAdmin(tx);
    if (values.IsActive === 0 || values.Role !== undefined) {
      // a deactivated person is signed out everywhere; a new role applies from the next request
      if (values.IsActive === 0)
        await tx.db.deleteFrom('person_session').where('PersonID', '=', id).execute();
    }
  });
  return (await findPerson(store, { id }))!.person;
}

export async function removePerson(store: Store, email: string) {
  await store.transaction(async (tx) => {
    const found = await findPerson(tx, { email });
    if (!found) throw new ODataError(404, 'NotFound', `No person with the email ${normalizeEmail(email)}`);
    await tx.db.deleteFrom('person').where('ID', '=', found.person.id).execute();
    await keepAnAdmin(tx);
  });
}

/** Nobody could manage people any more: refused, and the transaction rolls back. */
async function keepAnAdmin(store: Store) {
  const admins = await store.db
    .selectFrom('person')
    .select('ID')
    .where('Role', '=', 'admin')
    .where('IsActive', '=', 1)
    .limit(1)
    .executeTakeFirst();
  if (!admins && (await hasPeople(store))) {
    throw new ODataError(
      409,
      'LastAdmin',
      'That would leave no active admin to manage people: make someone else admin first',
    );
  }
}

export async function setPassword(store: Store, id: string, password: string) {
  const hash = await hashPassword(checkNewPassword(password));
  await store.db.updateTable('person').set({ PasswordHash: hash }).where('ID', '=', id).execute();
}

export async function recordSignIn(store: Store, id: string, now = Date.now()) {
  await store.db.updateTable('person').set({ LastSignInAt: now }).where('ID', '=', id).execute();
}
