import { describe, expect, it } from 'vitest';
import { model } from '../model/model.ts';
import { ODataError } from '../query/errors.ts';
import { validateBody } from './validate-body.ts';

const opportunity = model.get('Activity.SalesOpportunity')!;

const refusal = (body: unknown): ODataError => {
  try {
    validateBody(opportunity, body, 'update');
  } catch (e) {
    expect(e).toBeInstanceOf(ODataError);
    return e as ODataError;
  }
  throw new Error('expected the body to be refused');
};

describe('text values', () => {
  it('refuses a NUL in a string field, as in a URL literal, naming the field', () => {
    const e = refusal({ Subject: 'Ren\u0000ewal' });
    expect(e.status).toBe(400);
    expect(e.target).toBe('Subject');
    expect(e.message).toBe(
      'Subject: must not contain a NUL character (U+0000), which text values cannot contain (got "Ren\\u0000ewal")',
    );
  });

  it('refuses a lone surrogate, and its message is well-formed JSON text', () => {
    const e = refusal({ Subject: 'a\ud800b' });
    expect(e.message).toBe(
      'Subject: must not contain a lone UTF-16 surrogate (U+D800), which is not a Unicode character (got "a\\ud800b")',
    );
    expect(e.details).toEqual([{ code: 'InvalidValue', target: 'Subject', message: e.message }]);
  });

  it('keeps characters outside the Basic Multilingual Plane and control characters', () => {
    const body = validateBody(opportunity, { Subject: 'Deal 😀 \u0001 𝄞' }, 'update');
    expect(body.values.get('Subject')).toBe('Deal 😀 \u0001 𝄞');
  });

  it('names the NUL rather than the length when both fail', () => {
    expect(refusal({ Subject: `\u0000${'x'.repeat(300)}` }).message).toContain('must not contain a NUL');
  });
});

describe('messages about refused values', () => {
  it('echo at most 100 characters of the value', () => {
    const e = refusal({ Probability: 'x'.repeat(5000) });
    expect(e.message).toBe(`Probability: must be a number (got "${'x'.repeat(99)}...)`);
  });

  it('survive a value nested deeper than JSON.stringify can go', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(refusal({ Subject: deep }).message).toContain('(got a value nested too deeply to show)');
  });
});
