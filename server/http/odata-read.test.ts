// Reads through real HTTP: the seed's URLs, query options, navigation, paging and errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { withTestService } from '../test-support/test-service.ts';

const service = withTestService({ demoData: true, demoSize: 150 });
const api = (path: string, init?: Parameters<typeof service.api>[1]) => service.api(path, init);

interface Opportunity {
  ID: string;
  Subject: string;
  Probability: number | null;
  WeightedAmount: number | null;
  EstimatedAmount: number | null;
  ExpectedOrderDate: string | null;
  Amount: number | null;
  IsClosed: boolean;
  CreationDate: string;
  [key: string]: unknown;
}

let all: Opportunity[];
let oneId: string;

/** Every opportunity, following nextLinks: the independent reference the filters are checked against. */
async function readAll(path: string) {
  const rows: any[] = [];
  let url: string | undefined = path;
  while (url) {
    const page: any = await api(url, { headers: { Prefer: 'odata.maxpagesize=40' } });
    expect(page.status, page.text).toBe(200);
    rows.push(...page.body.value);
    url = page.body['@odata.nextLink'];
  }
  return rows;
}

const ids = (rows: { ID: string }[]) => rows.map((r) => r.ID).sort();

beforeAll(async () => {
  all = await readAll('/Activity_SalesOpportunity');
  oneId = all[0].ID;
});

describe('the seed page, verbatim', () => {
  it('lists opportunities and pages through all of them', () => {
    expect(all.length).toBe(150);
    expect(new Set(all.map((o) => o.ID)).size).toBe(150);
  });

  it('reads a single opportunity by its bare GUID, with the expansions of the seed', async () => {
    const single = await api(
      `/Activity_SalesOpportunity(${oneId})?$expand=Relationship,Contact,ProductLines,Phase,Pipeline`,
    );
    expect(single.status).toBe(200);
    expect(single.body['@odata.context']).toMatch(/\$metadata#Activity_SalesOpportunity\/\$entity$/);
    expect(single.body.ID).toBe(oneId);
    expect(single.body.Phase._Type).toBe('Datastore.Phase.ActivitySalesOpportunity');
    expect(single.body.Pipeline._Type).toBe('Pipeline');
    expect(Array.isArray(single.body.ProductLines)).toBe(true);
    expect(single.body.NumberOfProductLines).toBe(single.body.ProductLines.length);
    const phaseOnly = await api(`/Activity_SalesOpportunity(${oneId})?$expand=Phase`);
    expect(phaseOnly.body.Phase.ID).toBe(single.body.Phase.ID);
  });

  it('navigates to ProductLines, Involved and the Pipeline $ref', async () => {
    const lines = await api(`/Activity_SalesOpportunity(${oneId})/ProductLines`);
    expect(lines.status).toBe(200);
    expect(lines.body['@odata.context']).toMatch(/#ProductLine$/);
    const involved = await api(`/Activity_SalesOpportunity(${oneId})/Involved`);
    expect(involved.status).toBe(200);
    expect(involved.body.value).toEqual([]);
    const pipeline = await api(`/Activity_SalesOpportunity(${oneId})/Pipeline/$ref`);
    const expanded = await api(`/Activity_SalesOpportunity(${oneId})?$expand=Pipeline($select=ID)`);
    expect(pipeline.body['@odata.id']).toBe(
      `${service.server.serviceRoot}/Pipeline(${expanded.body.Pipeline.ID})`,
    );
  });

  const sample = () => all.find((o) => o.ExpectedOrderDate && o.EstimatedAmount)!;
  const filterExamples: [string, () => string, (o: Opportunity) => boolean][] = [
    [
      'contains(Subject, {Subject})',
      () => `contains(Subject, '${all[3].Subject.split(' ')[0].toLowerCase()}')`,
      (o) => o.Subject.toLowerCase().includes(all[3].Subject.split(' ')[0].toLowerCase()),
    ],
    ['Probability gt {Probability}', () => 'Probability gt 50', (o) => (o.Probability ?? -1) > 50],
    [
      'WeightedAmount gt {WeightedAmount}',
      () => 'WeightedAmount gt 10000',
      (o) => (o.WeightedAmount ?? -1) > 10000,
    ],
    [
      'EstimatedAmount gt {EstimatedAmount}',
      () => 'EstimatedAmount gt 50000',
      (o) => (o.EstimatedAmount ?? -1) > 50000,
    ],
    [
      'ExpectedOrderDate lt {ExpectedOrderDate}',
      () => `ExpectedOrderDate lt ${sample().ExpectedOrderDate}`,
      (o) => o.ExpectedOrderDate !== null && o.ExpectedOrderDate < sample().ExpectedOrderDate!,
    ],
    ['Amount gt {Amount}', () => 'Amount gt 1000', (o) => (o.Amount ?? -1) > 1000],
    ['IsClosed eq {IsClosed}', () => 'IsClosed eq true', (o) => o.IsClosed],
    [
      'CreationDate gt {CreationDate}',
      () => `CreationDate gt ${all[10].CreationDate}`,
      (o) => o.CreationDate > all[10].CreationDate,
    ],
  ];

  it.each(filterExamples)(
    '$filter=%s&$top={top} returns exactly the matching rows',
    async (_, filter, matches) => {
      const expected = all.filter(matches);
      expect(expected.length, 'the example must select something').toBeGreaterThan(0);
      const top = 1000;
      const rows = await readAll(
        `/Activity_SalesOpportunity?$filter=${encodeURIComponent(filter())}&$top=${top}`,
      );
      expect(ids(rows)).toEqual(ids(expected));
      const few = await api(`/Activity_SalesOpportunity?$filter=${encodeURIComponent(filter())}&$top=3`);
      expect(few.body.value.length).toBe(Math.min(3, expected.length));
    },
  );

  it('accepts the date-time of CreationDate with an unencoded + offset', async () => {
    const rows = await readAll(
      '/Activity_SalesOpportunity?$filter=CreationDate gt 2000-01-01T00:00:00+01:00&$select=ID',
    );
    expect(rows.length).toBe(150);
  });
});

describe('query options', () => {
  it('$select returns the chosen fields and always ID', async () => {
    const response = await api('/Activity_SalesOpportunity?$select=Subject,Probability&$top=2');
    expect(Object.keys(response.body.value[0]).sort()).toEqual([
      '@odata.etag',
      'ID',
      'Probability',
      'Subject',
    ]);
    expect(response.body['@odata.context']).toMatch(/#Activity_SalesOpportunity\(ID,Subject,Probability\)$/);
  });

  it('$expand nests options: select, expand, filter, orderby, top, count', async () => {
    const response = await api(
      `/Activity_SalesOpportunity?$filter=NumberOfProductLines ge 2&$top=5&$select=Subject&$expand=SalesRepresentative($select=FirstName),ProductLines($select=Description,Total;$expand=Product($select=Code);$orderby=Total desc;$top=1;$count=true)`,
    );
    expect(response.status).toBe(200);
    for (const o of response.body.value) {
      expect(Object.keys(o.SalesRepresentative).sort()).toEqual(['@odata.etag', 'FirstName', 'ID']);
      expect(o.ProductLines.length).toBe(1);
      expect(o['ProductLines@odata.count']).toBeGreaterThanOrEqual(2);
      const lines = await api(`/Activity_SalesOpportunity(${o.ID})/ProductLines?$orderby=Total desc&$top=1`);
      expect(o.ProductLines[0].ID).toBe(lines.body.value[0].ID);
      expect(Object.keys(o.ProductLines[0].Product ?? { ID: 1, Code: 1, '@odata.etag': 1 }).sort()).toEqual([
        '@odata.etag',
        'Code',
        'ID',
      ]);
    }
  });

  it('$orderby, $skip and $top page in a stable order', async () => {
    const sorted = [...all].sort(
      (a, b) => (b.EstimatedAmount ?? -1) - (a.EstimatedAmount ?? -1) || (a.ID < b.ID ? -1 : 1),
    );
    const page = await api(
      '/Activity_SalesOpportunity?$orderby=EstimatedAmount desc&$skip=10&$top=5&$select=EstimatedAmount',
    );
    expect(page.body.value.map((o: Opportunity) => o.ID)).toEqual(sorted.slice(10, 15).map((o) => o.ID));
  });

  it('$count honours $filter and ignores $top and $skip', async () => {
    const open = all.filter((o) => !o.IsClosed).length;
    const response = await api(
      '/Activity_SalesOpportunity?$filter=IsClosed eq false&$count=true&$top=1&$skip=2',
    );
    expect(response.body['@odata.count']).toBe(open);
    expect(response.body.value.length).toBe(1);
    const bare = await api('/Activity_SalesOpportunity/$count?$filter=IsClosed eq false');
    expect(bare.text).toBe(String(open));
  });

  it('pages with @odata.nextLink: default page size, Prefer maxpagesize, and $top across pages', async () => {
    const first = await api('/Activity_SalesOpportunity');
    expect(first.body.value.length).toBe(100);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=100');
    const small = await api('/Activity_SalesOpportunity?$top=25', {
      headers: { Prefer: 'odata.maxpagesize=10' },
    });
    expect(small.headers.get('preference-applied')).toBe('odata.maxpagesize=10');
    const rows = await readAll('/Activity_SalesOpportunity?$top=25&$orderby=Subject');
    expect(rows.length).toBe(25);
    expect(rows.map((r) => r.ID)).toEqual(
      (await api('/Activity_SalesOpportunity?$top=25&$orderby=Subject')).body.value.map(
        (r: Opportunity) => r.ID,
      ),
    );
    const last = await api('/Activity_SalesOpportunity?$skip=140');
    expect(last.body['@odata.nextLink']).toBeUndefined();
  });

  it('filters through navigation paths, case-insensitively, with any()', async () => {
    const won = await readAll(
      "/Activity_SalesOpportunity?$filter=Phase/Code eq 'Won'&$expand=Phase($select=Code)",
    );
    expect(won.length).toBeGreaterThan(0);
    expect(won.every((o) => o.Phase.Code === 'Won' && o.Probability === 100 && o.IsClosed)).toBe(true);
    const pipelineName = await readAll(
      "/Activity_SalesOpportunity?$filter=Phase/Pipeline/Name eq 'Renewals' or Pipeline/Name eq 'Renewals'&$select=ID",
    );
    const renewals = await readAll(
      "/Activity_SalesOpportunity?$filter=Pipeline/Name eq 'Renewals'&$select=ID",
    );
    expect(ids(pipelineName)).toEqual(ids(renewals));
    const upper = await readAll(
      `/Activity_SalesOpportunity?$filter=contains(Subject,'${all[0].Subject.slice(0, 5).toUpperCase()}')`,
    );
    expect(upper.map((o) => o.ID)).toContain(all[0].ID);
    const withBigLine = await readAll(
      '/Activity_SalesOpportunity?$filter=ProductLines/any(l: l/Total gt 5000)&$select=ID',
    );
    const manual = [];
    for (const o of all) {
      if (
        (await api(`/Activity_SalesOpportunity(${o.ID})/ProductLines/$count?$filter=Total gt 5000`)).text !==
        '0'
      )
        manual.push(o);
    }
    expect(ids(withBigLine)).toEqual(ids(manual));
  });

  it('supports the operators and functions of API.md on every field type', async () => {
    const cases: [string, (o: Opportunity) => boolean][] = [
      ['Probability ge 60 and not (IsClosed eq true)', (o) => (o.Probability ?? -1) >= 60 && !o.IsClosed],
      [
        'Probability le 10 or EstimatedAmount lt 5000',
        (o) => (o.Probability ?? 999) <= 10 || (o.EstimatedAmount ?? 1e99) < 5000,
      ],
      ["Currency ne 'EUR'", (o) => o.Currency !== 'EUR'],
      ["Currency in ('USD','GBP')", (o) => o.Currency === 'USD' || o.Currency === 'GBP'],
      ['ExpectedOrderDate eq null', (o) => o.ExpectedOrderDate === null],
      ['year(ExpectedOrderDate) eq 2027', (o) => (o.ExpectedOrderDate ?? '').startsWith('2027')],
      [
        'EstimatedAmount mul Probability div 100 eq WeightedAmount',
        (o) => o.EstimatedAmount !== null && o.Probability !== null,
      ],
      [`ID eq ${all[5].ID}`, (o) => o.ID === all[5].ID],
      [
        `startswith(Number, '${String(all[7].Number).slice(0, 7)}')`,
        (o) => String(o.Number).startsWith(String(all[7].Number).slice(0, 7)),
      ],
      ["endswith(tolower(Subject), 'ltd')", (o) => o.Subject.toLowerCase().endsWith('ltd')],
      ['length(Subject) gt 30', (o) => o.Subject.length > 30],
    ];
    for (const [filter, matches] of cases) {
      const rows = await readAll(
        `/Activity_SalesOpportunity?$filter=${encodeURIComponent(filter)}&$select=ID`,
      );
      expect(ids(rows), filter).toEqual(ids(all.filter(matches)));
    }
  });

  it('treats quotes, % and _ in strings literally, and binds them as values', async () => {
    const created = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: "O'Neil 100%_sure deal" },
    });
    const quoted = await readAll(
      `/Activity_SalesOpportunity?$filter=${encodeURIComponent("Subject eq 'O''Neil 100%_sure deal'")}`,
    );
    expect(ids(quoted)).toEqual([created.body.ID]);
    const percent = await readAll(
      `/Activity_SalesOpportunity?$filter=${encodeURIComponent("contains(Subject,'0%_s')")}`,
    );
    expect(ids(percent)).toEqual([created.body.ID]);
    const wildcard = await readAll(
      `/Activity_SalesOpportunity?$filter=${encodeURIComponent("contains(Subject,'%')")}`,
    );
    expect(ids(wildcard)).toEqual([created.body.ID]);
    const injection = await api(
      `/Activity_SalesOpportunity?$filter=${encodeURIComponent("Subject eq 'x'' or 1=1 --'")}`,
    );
    expect(injection.status).toBe(200);
    expect(injection.body.value).toEqual([]);
    await api(`/Activity_SalesOpportunity(${created.body.ID})`, { method: 'DELETE' });
  });

  it('matches case-insensitively beyond ASCII', async () => {
    const created = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'Überprüfung für Øresund Ærø' },
    });
    for (const filter of [
      "contains(Subject,'ÜBERPRÜFUNG FÜR ØRESUND')",
      "startswith(Subject,'überprüfung für ø')",
      "toupper(Subject) eq 'ÜBERPRÜFUNG FÜR ØRESUND ÆRØ'",
    ]) {
      const rows = await readAll(
        `/Activity_SalesOpportunity?$filter=${encodeURIComponent(filter)}&$select=ID`,
      );
      expect(ids(rows), filter).toEqual([created.body.ID]);
    }
    await api(`/Activity_SalesOpportunity(${created.body.ID})`, { method: 'DELETE' });
  });

  it('finds a subject by a part of it after every create, rename and delete', async () => {
    const search = async (text: string) =>
      ids(
        await readAll(
          `/Activity_SalesOpportunity?$filter=${encodeURIComponent(`contains(Subject,'${text}')`)}&$select=ID`,
        ),
      );
    const created = await api('/Activity_SalesOpportunity', {
      method: 'POST',
      json: { Subject: 'Quokka fleet renewal' },
    });
    const id = created.body.ID;
    expect(await search('QUOKKA FLE')).toEqual([id]);
    await api(`/Activity_SalesOpportunity(${id})`, {
      method: 'PATCH',
      json: { Subject: 'Wombat fleet renewal' },
    });
    expect(await search('quokka')).toEqual([]);
    expect(await search('wombat f')).toEqual([id]);
    await api(`/Activity_SalesOpportunity(${id})`, { method: 'DELETE' });
    expect(await search('wombat')).toEqual([]);
  });

  it('base sets list every subtype with its own _Type', async () => {
    const relationships = await readAll('/Relationship?$select=Name,_Type');
    const types = new Set(relationships.map((r) => r._Type));
    expect(types).toEqual(new Set(['Relationship.Organization', 'Relationship.Organization.Competitor']));
    const competitor = relationships.find((r) => r._Type === 'Relationship.Organization.Competitor');
    expect(competitor['@odata.type']).toBe('#Dealdeck.Relationship_Organization_Competitor');
    const competitors = await readAll('/Relationship_Organization_Competitor');
    expect(competitors.length).toBe(relationships.filter((r) => r._Type === competitor._Type).length);
    const datastore = await readAll('/Datastore?$select=_Type');
    expect(new Set(datastore.map((d) => d._Type)).size).toBe(3);
  });

  it('serves the service document and $metadata', async () => {
    const root = await api('');
    expect(root.body.value.map((s: any) => s.name)).toContain('Activity_SalesOpportunity');
    const metadata = await api('/$metadata');
    expect(metadata.headers.get('content-type')).toMatch(/application\/xml/);
    expect(metadata.text).toContain('<EntitySet Name="Activity_SalesOpportunity"');
  });
});

describe('bad queries get a clear 4xx, never a 500', () => {
  it.each([
    ['$filter=Probabilty gt 50', 400, /Unknown property 'Probabilty'/],
    ['$filter=Probability gt', 400, /position/],
    ["$filter=Probability gt 'high'", 400, /Cannot compare/],
    ['$filter=Subject', 400, /condition/],
    ['$filter=Phase/Nope eq 1', 400, /Unknown property 'Nope'/],
    ['$filter=ExpectedOrderDate lt 2026-02-30', 400, /Invalid day 30 for 2026-02/],
    ['$top=-1', 400, /\$top/],
    ['$top=abc', 400, /\$top/],
    ['$orderby=Nope', 400, /Unknown property/],
    ['$select=Nope', 400, /Unknown property 'Nope'/],
    ['$expand=Nope', 400, /Unknown navigation property 'Nope'/],
    ['$expand=Phase($top=1)', 400, /single record/],
    ['$filter=Currency has 1', 400, /enumeration/],
    ['$search=acme', 501, /\$search/],
    ['$filter=isof(Subject, Edm.String)', 501, /isof/],
    ['$foo=1', 400, /\$foo/],
    ['$skiptoken=banana', 400, /skiptoken/],
    ['$format=xml', 406, /JSON/],
  ])('?%s → %i', async (query, status, message) => {
    const response = await api(`/Activity_SalesOpportunity?${query}`);
    expect(response.status, response.text).toBe(status);
    expect(response.body.error.message).toMatch(message);
  });

  it('unknown sets, keys and navigations get 404; malformed keys 400', async () => {
    expect((await api('/Nope')).status).toBe(404);
    expect((await api('/Activity_SalesOpportunity(00000000-0000-4000-8000-000000000000)')).status).toBe(404);
    expect((await api(`/Activity_SalesOpportunity(${oneId})/Nope`)).status).toBe(404);
    const bad = await api('/Activity_SalesOpportunity(42)');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not a GUID/);
  });
});

describe('authentication', () => {
  const secured = withTestService({ apiToken: 'open-sesame' });

  it('needs credentials: the API_TOKEN as a bearer token, or access_token in the query', async () => {
    for (const path of ['/Pipeline', '/', '/$metadata', '/Pipeline/$count']) {
      const denied = await secured.api(path, { as: null });
      expect(denied.status, path).toBe(401);
      expect(denied.body.error.code).toBe('Unauthorized');
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    }
    const wrong = await secured.api('/Pipeline', { as: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/token is not valid/);
    expect((await secured.api('/Pipeline', { as: 'open-sesame' })).status).toBe(200);
    expect((await secured.api('/Pipeline?access_token=open-sesame', { as: null })).status).toBe(200);
  });
});
