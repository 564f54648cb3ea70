import { describe, expect, it } from 'vitest';
import { parseFilters } from '../../filters/filter-model';
import { boardHref } from './board-link';

const rep = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const pipeline = '6fa85f64-5717-4562-b3fc-2c963f66afa7';

describe('board link of a bar', () => {
  it('keeps the forecast filters, adds the bar and only open deals', () => {
    const href = boardHref(
      { pipelineId: pipeline, filters: { rep } },
      { subject: 'cloud', status: 'closed' },
    );
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('pipeline')).toBe(pipeline);
    expect(parseFilters(url.searchParams)).toEqual({ subject: 'cloud', rep, status: 'open' });
  });

  it('intersects a month with a date window already set', () => {
    const href = boardHref(
      { pipelineId: pipeline, filters: { expectedFrom: '2027-01-01', expectedBefore: '2027-02-01' } },
      { expectedFrom: '2027-01-10', expectedBefore: '2027-06-01' },
    );
    const filters = parseFilters(new URL(href, 'http://x').searchParams);
    expect(filters).toMatchObject({ expectedFrom: '2027-01-10', expectedBefore: '2027-02-01' });
  });
});
