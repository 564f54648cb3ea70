// The import and export commands end to end, as `npm run import` / `npm run export` run them:
// spawned with tsx on a temporary SQLite file (or, under DEALDECK_TEST_DB=postgres, a fresh
// PostgreSQL database).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { createReferenceData } from '../demo/reference-data.ts';
import { createTestDatabase, type TestDatabase, testingPostgres } from '../test-support/test-database.ts';
import { importOrder } from './cli-support.ts';

const tsx = join(process.cwd(), 'node_modules/.bin/tsx');

let dir: string;
let database: TestDatabase;
let url: string;

function run(script: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      tsx,
      [join('server/transfer', script), ...args],
      { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dealdeck-transfer-'));
  database = await createTestDatabase();
  url = testingPostgres() ? database.url : join(dir, 'cli.db');
  const store = openStore(url);
  await migrate(store);
  await createReferenceData(store);
  await store.close();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

describe('npm run import / export', { timeout: 120_000 }, () => {
  it('imports a file, reporting a bad line and its batch, then with --skip-invalid only the bad line; exports it again', async () => {
    const file = join(dir, 'organisations.ndjson');
    const records = [
      { Name: 'Alpha', ImportId: 'a' },
      { Name: 'Beta', NumberOfEmployees: 'many', ImportId: 'b' },
      { Name: 'Gamma, "the third"', City: 'Zürich', ImportId: 'c' },
    ];
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

    const rejected = await run('cli-import.ts', [file, '--set', 'Relationship_Organization', '--batch', '2']);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain(
      'line 2: NumberOfEmployees: must be a number (got "many") [field: NumberOfEmployees]',
    );
    expect(rejected.stderr).toContain('batch of lines 1-2 rejected');
    expect(rejected.stderr).toMatch(/Relationship_Organization: 1 of 3 records imported/);

    const skipped = await run('cli-import.ts', [
      file,
      '--set',
      'Relationship_Organization',
      '--skip-invalid',
    ]);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain('line 2: NumberOfEmployees');
    expect(skipped.stderr).toMatch(/2 of 3 records imported/);

    const exported = await run('cli-export.ts', ['--set', 'Relationship_Organization']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((r) => r.Name).sort()).toEqual(['Alpha', 'Gamma, "the third"']);
    expect(exported.stderr).toMatch(
      /Relationship_Organization: 2 records exported as NDJSON to standard output/,
    );

    const csvFile = join(dir, 'organisations.csv');
    const toFile = await run('cli-export.ts', ['--set', 'Relationship_Organization', '--out', csvFile]);
    expect(toFile.code).toBe(0);
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^@odata\.type,ID,ImportId,/);
    expect(csv).toContain('"Gamma, ""the third"""');
    // importing the export again changes nothing and is accepted whole
    const again = await run('cli-import.ts', [csvFile, '--set', 'Relationship_Organization']);
    expect(again.stderr).toMatch(/2 of 2 records imported/);
    expect(again.code).toBe(0);
  });

  it('names what is wrong with the command line', async () => {
    const unknown = await run('cli-import.ts', ['x.ndjson', '--set', 'Opportunities']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown entity set 'Opportunities'");
    const noSet = await run('cli-export.ts', []);
    expect(noSet.code).toBe(2);
    expect(noSet.stderr).toContain('--set <EntitySet> is required');
    const noFile = await run('cli-import.ts', [join(dir, 'missing.ndjson'), '--set', 'ProductLine']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('No file');
  });

  it('says which records link to missing ones and in which order to import', async () => {
    const file = join(dir, 'lines.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ Description: 'Orphan', Activity: { ID: '20000000-0000-4000-8000-000000000001' } })}\n`,
    );
    const result = await run('cli-import.ts', [file, '--set', 'ProductLine']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 1: Activity: no Activity with ID 20000000-0000-4000-8000-000000000001',
    );
    expect(result.stderr).toContain(`import the linked sets first, in this order: ${importOrder.join(', ')}`);
  });
  it('imports a page as a GET returns it, saying what it left out, and refuses it with --strict', async () => {
    const file = join(dir, 'page.json');
    const page = {
      '@odata.context': 'https://api.example.com/v1/odata/$metadata#Activity_SalesOpportunity',
      value: [
        {
          '@odata.etag': 'W/"2"',
          ID: '30000000-0000-4000-8000-000000000001',
          _Type: 'Activity.SalesOpportunity',
          _Name: 'Migrated deal',
          Subject: 'Migrated deal',
          Number: '2018-00007',
          CreationDate: '2018-05-01T08:00:00Z',
          LastMutationDate: '2018-06-01T08:00:00Z',
          WeightedAmount: 0,
          Segment: 'custom field',
        },
      ],
    };
    writeFileSync(file, `${JSON.stringify(page)}\n`);
    const strict = await run('cli-import.ts', [file, '--set', 'Activity_SalesOpportunity', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('line 1 (record 1 of its page): 5 fields are invalid');
    expect(strict.stderr).toContain('WeightedAmount: is computed by the server and cannot be written');

    const lenient = await run('cli-import.ts', [file, '--set', 'Activity_SalesOpportunity']);
    expect(lenient.stderr).toMatch(/Activity_SalesOpportunity: 1 of 1 records imported/);
    expect(lenient.stderr).toContain(
      'Left out (not errors): 3 annotations (@odata.etag, _Type, _Name); 1 values computed by the server (WeightedAmount); 1 values of fields Dealdeck does not have (Segment)',
    );
    expect(lenient.code).toBe(0);
    const exported = await run('cli-export.ts', ['--set', 'Activity_SalesOpportunity']);
    expect(JSON.parse(exported.stdout.trim()).Subject).toBe('Migrated deal');
  });
});
