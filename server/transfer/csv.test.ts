import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { entitySets } from '../model/model.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.ts';
import { createEntity } from '../write/write-entity.ts';
import { CsvHeaderError, csvCell, csvColumns, csvRecords, csvRow } from './csv.ts';
import { exportRecords } from './export-records.ts';
import { importRecords } from './import-records.ts';
import type { SourceRecord } from './read-lines.ts';

type Row = Record<string, any>;

const organizations = entitySets.get('Relationship_Organization')!;

async function read(text: string, set = organizations) {
  const records: SourceRecord[] = [];
  for await (const record of csvRecords(Readable.from([text]), set)) records.push(record);
  return records;
}

describe('CSV cells', () => {
  it('quotes what must be quoted and tells null from the empty string', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('')).toBe('""');
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r\nlf')).toBe('"cr\r\nlf"');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(false)).toBe('false');
    expect(csvRow(['a', null, 1])).toBe('a,,1\r\n');
  });

  it('names links <Navigation>.ID and the type column @odata.type', () => {
    expect(csvColumns(organizations)).toEqual([
      '@odata.type',
      'ID',
      'ImportId',
      'SortIndex',
      'IsActive',
      'IsClosed',
      'Name',
      'EmailAddress',
      'PhoneNumber',
      'Website',
      'City',
      'Country',
      'Industry',
      'NumberOfEmployees',
    ]);
    expect(csvColumns(entitySets.get('Activity_SalesOpportunity')!)).toEqual(
      expect.arrayContaining(['Subject', 'Phase.ID', 'Pipeline.ID', 'Relationship.ID']),
    );
    expect(csvColumns(entitySets.get('Activity_SalesOpportunity')!)).not.toContain('@odata.type');
  });
});

describe('reading CSV', () => {
  it('reads values by the type of their property, with the line each record starts on', async () => {
    const text =
      'Name,NumberOfEmployees,IsActive,City,Country\r\n' +
      '"Smith, Jones & Co",12,true,"",\r\n' +
      '\r\n' +
      '"Two\r\nline name",1e3,FALSE,Köln,Deutschland\r\n' +
      'Bad,many,yes,,\r\n';
    expect(await read(text)).toEqual([
      {
        line: 2,
        body: { Name: 'Smith, Jones & Co', NumberOfEmployees: 12, IsActive: true, City: '', Country: null },
      },
      {
        line: 4,
        lastLine: 5,
        body: {
          Name: 'Two\r\nline name',
          NumberOfEmployees: 1000,
          IsActive: false,
          City: 'Köln',
          Country: 'Deutschland',
        },
      },
      // not numbers or booleans: passed on for validation to name
      {
        line: 6,
        body: { Name: 'Bad', NumberOfEmployees: 'many', IsActive: 'yes', City: null, Country: null },
      },
    ]);
  });

  it('reports a row of the wrong length and a syntax error, which ends the reading', async () => {
    const text = 'Name,City\nOne,Here\nTwo\nThree,"unclosed\nFour,There\n';
    const records = await read(text);
    expect(records[0]).toEqual({ line: 2, body: { Name: 'One', City: 'Here' } });
    expect(records[1]).toEqual({ line: 3, problem: { message: 'the row has 1 cells, the header 2' } });
    expect(records.at(-1)?.problem?.message).toMatch(/^CSV syntax error, the rest of the file is not read: /);
    expect(records.some((r) => r.body?.Name === 'Four')).toBe(false);
  });

  it('refuses a header with unknown, computed or doubled columns', async () => {
    await expect(read('Name,Colour\nA,red\n')).rejects.toThrow(
      /CSV header: unknown column Colour; the columns of Relationship_Organization are @odata.type, ID,/,
    );
    await expect(read('Name,_Name\n')).rejects.toThrow('CSV header: _Name is computed by the server');
    await expect(read('Name,Name\n')).rejects.toThrow(CsvHeaderError);
    await expect(read('Subject,Phase\n', entitySets.get('Activity_SalesOpportunity')!)).rejects.toThrow(
      'the link Phase is written as the column Phase.ID',
    );
  });

  it('leaves out the empty cells of fields that the record type does not have', async () => {
    const contacts = entitySets.get('Relation_Person_Contact')!;
    expect(await read('@odata.type,LastName,Organization.ID\n,Doe,\n', contacts)).toEqual([
      { line: 2, body: { LastName: 'Doe', Organization: null } },
    ]);
  });
});

describe('CSV round trip with awkward values', () => {
  let database: TestDatabase;
  let targetDatabase: TestDatabase;
  let source: Store;
  let target: Store;
  const awkward = [
    { Name: 'Quote "the" company', City: 'Comma, Town', Country: null, Website: '' },
    { Name: 'Line\nbreak', City: 'Windows\r\nline', Country: 'Ümläut-Land', Website: null },
    { Name: 'Müller & Söhne 株式会社 🚀', City: '  spaced  ', Country: '"', Website: ',' },
    { Name: '=1+2', City: '""', Country: 'Naïve', Website: '\n' },
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    targetDatabase = await createTestDatabase();
    source = openStore(database.url);
    target = openStore(targetDatabase.url);
    await migrate(source);
    await migrate(target);
    const now = new Date().toISOString();
    for (const [index, body] of awkward.entries()) {
      await createEntity(
        source,
        organizations,
        { ...body, NumberOfEmployees: index * 1000 + 0.0 || null, IsActive: index % 2 === 0 },
        now,
      );
    }
  });
  afterAll(async () => {
    await source.close();
    await target.close();
    await database.drop();
    await targetDatabase.drop();
  });

  it('gives the same values back', async () => {
    let text = '';
    const output = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    expect(await exportRecords(source, organizations, output, { format: 'csv' })).toBe(awkward.length);
    const summary = await importRecords(target, csvRecords(Readable.from([text]), organizations), {
      set: organizations,
    });
    expect(summary.problems).toEqual([]);
    const columns = [
      'ID',
      'Name',
      'City',
      'Country',
      'Website',
      'NumberOfEmployees',
      'IsActive',
      'SortIndex',
    ];
    const rows = (store: Store) =>
      store.db.selectFrom('relationship').select(columns).orderBy('ID').execute() as Promise<Row[]>;
    const after = await rows(target);
    expect(after).toEqual(await rows(source));
    expect(after.map((r) => r.Name).sort()).toEqual(awkward.map((r) => r.Name).sort());
    expect(after.find((r) => r.Name === 'Quote "the" company')).toMatchObject({ Country: null, Website: '' });
  });
});
