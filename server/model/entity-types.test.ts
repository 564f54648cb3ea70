import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SalesOpportunity } from './entity-types.ts';
import { sets } from './entity-types.ts';
import { entitySets } from './model.ts';

describe('entity types for the dashboard', () => {
  it('derive property types from the model, inherited ones included', () => {
    expectTypeOf<SalesOpportunity['Probability']>().toEqualTypeOf<number | null>();
    expectTypeOf<SalesOpportunity['Subject']>().toEqualTypeOf<string>();
    expectTypeOf<SalesOpportunity['IsClosed']>().toEqualTypeOf<boolean>();
    expectTypeOf<NonNullable<SalesOpportunity['Phase']>['Code']>().toEqualTypeOf<string | null>();
  });

  it('name only entity sets the model serves', () => {
    for (const set of Object.values(sets)) expect(entitySets.has(set), set).toBe(true);
  });
});
