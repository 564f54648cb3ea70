// The test CRM (test-upstream.ts) for a Vitest file: on the run's database kind, closed and
// dropped after the file.
import { afterAll } from 'vitest';
import { createTestDatabase } from '../test-support/test-database.ts';
import { startTestUpstream, type TestUpstream } from './test-upstream.ts';

export async function startTestCrm(): Promise<TestUpstream> {
  const database = await createTestDatabase();
  const crm = await startTestUpstream({ databaseUrl: database.url });
  afterAll(async () => {
    await crm.close();
    await database.drop();
  });
  return crm;
}
