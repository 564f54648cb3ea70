import { describe, expect, it } from 'vitest';
import { toCsv } from './to-csv';

describe('toCsv', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(
      toCsv(
        ['Name', 'Deals'],
        [
          ['Smith, "Jo"', 2],
          ['=HYPERLINK("x")', 1],
          ['Plain', 0.5],
        ],
      ),
    ).toBe('Name,Deals\r\n"Smith, ""Jo""",2\r\n"\'=HYPERLINK(""x"")",1\r\nPlain,0.5');
  });
});
