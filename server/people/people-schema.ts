// The tables of people and their credentials (migration 6). Times are epoch milliseconds, the
// same on SQLite and PostgreSQL; secrets are stored only as SHA-256 hashes (tokens) or Argon2id
// hashes (passwords).
import type { Store } from '../db/database.ts';

export async function createPeopleTables(store: Store) {
  const { schema } = store.db;
  const millis = 'bigint';
  await schema
    .createTable('person')
    .addColumn('ID', 'text', (c) => c.primaryKey())
    // lower-cased: one account per address whatever its case
    .addColumn('Email', 'text', (c) => c.notNull().unique())
    .addColumn('Name', 'text', (c) => c.notNull())
    .addColumn('Role', 'text', (c) => c.notNull())
    .addColumn('EmployeeID', 'text')
    .addColumn('PasswordHash', 'text')
    .addColumn('IsActive', 'integer', (c) => c.notNull().defaultTo(1)) // 1 or 0 on both databases
    .addColumn('CreatedAt', millis, (c) => c.notNull())
    .addColumn('LastSignInAt', millis)
    .execute();
  await schema
    .createTable('person_session')
    .addColumn('TokenHash', 'text', (c) => c.primaryKey())
    .addColumn('PersonID', 'text', (c) => c.notNull().references('person.ID').onDelete('cascade'))
    .addColumn('CreatedAt', millis, (c) => c.notNull())
    .addColumn('LastSeenAt', millis, (c) => c.notNull())
    .execute();
  await schema.createIndex('person_session_PersonID').on('person_session').column('PersonID').execute();
  await schema
    .createTable('person_token')
    .addColumn('ID', 'text', (c) => c.primaryKey())
    .addColumn('PersonID', 'text', (c) => c.notNull().references('person.ID').onDelete('cascade'))
    .addColumn('Name', 'text', (c) => c.notNull())
    .addColumn('TokenHash', 'text', (c) => c.notNull().unique())
    // the first characters, shown in lists so a person can tell their tokens apart
    .addColumn('Prefix', 'text', (c) => c.notNull())
    .addColumn('CreatedAt', millis, (c) => c.notNull())
    .addColumn('LastUsedAt', millis)
    .addColumn('RevokedAt', millis)
    .execute();
  await schema.createIndex('person_token_PersonID').on('person_token').column('PersonID').execute();
  await schema
    .createTable('sign_in_link')
    .addColumn('TokenHash', 'text', (c) => c.primaryKey())
    .addColumn('PersonID', 'text', (c) => c.notNull().references('person.ID').onDelete('cascade'))
    .addColumn('Purpose', 'text', (c) => c.notNull())
    .addColumn('ExpiresAt', millis, (c) => c.notNull())
    .execute();
  await schema
    .createTable('sign_in_throttle')
    .addColumn('Email', 'text', (c) => c.primaryKey())
    .addColumn('Failures', 'integer', (c) => c.notNull())
    .addColumn('LastFailureAt', millis, (c) => c.notNull())
    .addColumn('BlockedUntil', millis, (c) => c.notNull())
    .execute();
  await schema
    .createTable('sign_in_flow')
    .addColumn('StateHash', 'text', (c) => c.primaryKey())
    .addColumn('CodeVerifier', 'text', (c) => c.notNull())
    .addColumn('Nonce', 'text', (c) => c.notNull())
    .addColumn('ExpiresAt', millis, (c) => c.notNull())
    .execute();
}
