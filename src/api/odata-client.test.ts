import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveSettings } from '../lib/settings-store';
import { fakeService } from '../test/fake-service';
import { entityPath, odata, queryString } from './odata-client';
import { ODataRequestError } from './odata-error';

afterEach(() => {
  vi.unstubAllGlobals();
  saveSettings({ baseUrl: '/v1/odata', token: '', staleDays: 14 });
});

describe('odata client', () => {
  it('builds the query with odata-query, escaping user input, and sends the bearer token', async () => {
    saveSettings({ baseUrl: 'https://crm.example.com/v1/odata/', token: 'secret', staleDays: 14 });
    const { requests } = fakeService({
      'GET /v1/odata/Activity_SalesOpportunity': () => ({ body: { value: [] } }),
    });
    await odata.list('Activity_SalesOpportunity', {
      filter: { Subject: { contains: "O'Neil & co" } },
      top: 5,
    });
    const [request] = requests;
    expect(request.url.origin).toBe('https://crm.example.com');
    expect(request.url.searchParams.get('$filter')).toBe("contains(Subject,'O''Neil & co')");
    expect(request.url.searchParams.get('$top')).toBe('5');
    expect(request.headers.get('Authorization')).toBe('Bearer secret');
  });

  it('follows @odata.nextLink until the last page', async () => {
    fakeService({
      'GET /v1/odata/Pipeline': (request) =>
        request.url.searchParams.get('$skiptoken')
          ? { body: { value: [{ ID: 'b' }] } }
          : {
              body: {
                value: [{ ID: 'a' }],
                '@odata.nextLink': 'http://localhost/v1/odata/Pipeline?$skiptoken=1',
              },
            },
    });
    await expect(odata.listAll('Pipeline')).resolves.toEqual([{ ID: 'a' }, { ID: 'b' }]);
  });

  it('turns an OData error body into a typed error with messages per field', async () => {
    fakeService({
      'PATCH /v1/odata/Activity_SalesOpportunity': () => ({
        status: 400,
        body: {
          error: {
            code: 'InvalidValue',
            message: 'Probability: must be at most 100',
            target: 'Probability',
            details: [
              { code: 'InvalidValue', target: 'Probability', message: 'Probability: must be at most 100' },
            ],
          },
        },
      }),
    });
    const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const error = (await odata
      .update('Activity_SalesOpportunity', id, { Probability: 150 }, 'W/"1"')
      .catch((e) => e)) as ODataRequestError;
    expect(error).toBeInstanceOf(ODataRequestError);
    expect(error.status).toBe(400);
    expect(error.fieldErrors).toEqual({ Probability: 'Probability: must be at most 100' });
  });

  it('sends If-Match and reports a 412 as a conflict', async () => {
    const { requests } = fakeService({
      'PATCH /v1/odata/Activity_SalesOpportunity': () => ({
        status: 412,
        body: { error: { code: 'PreconditionFailed', message: 'changed' } },
      }),
    });
    const error = (await odata
      .update('Activity_SalesOpportunity', '3fa85f64-5717-4562-b3fc-2c963f66afa6', { SortIndex: 2 }, 'W/"3"')
      .catch((e) => e)) as ODataRequestError;
    expect(requests[0].headers.get('If-Match')).toBe('W/"3"');
    expect(error.isConflict).toBe(true);
  });

  it('refuses a key that is not a GUID before building a URL', () => {
    expect(() => entityPath('Pipeline', "x') or (1 eq 1")).toThrow(/Not a record key/);
  });
});

describe('queryString', () => {
  it('sends the + of a date-time offset encoded, so that no server reads it as a space', () => {
    expect(queryString({ filter: 'CreationDate gt 2026-01-01T00:00:00+01:00' })).toBe(
      '?$filter=CreationDate gt 2026-01-01T00:00:00%2B01:00',
    );
  });
});
