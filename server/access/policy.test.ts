// The policy on its own: who gets a read scope, which navigations keep to visible rows, what the
// scope's SQL says, which types only admins write. The HTTP suites (deal-rules, rep-sees-own)
// check the rules end to end.
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { model } from '../model/model.ts';
import { AccessPolicy, adminOnlyLabel, dealColumnOf, isDeal, ownDealsScope } from './policy.ts';
import { type Principal, type Role, servicePrincipal } from './principal.ts';

// compiles SQL only; never connects
const compiler = new Kysely<never>({ dialect: new SqliteDialect({ database: async () => ({}) as never }) });
const text = (built: ReturnType<ReturnType<typeof ownDealsScope>['rows']>) =>
  built === undefined ? undefined : built.compile(compiler);

const person = (role: Role, employeeId: string | null = 'e1'): Principal => ({
  kind: 'person',
  id: `p-${role}`,
  name: role,
  role,
  employeeId,
  via: 'personal-token',
});

const navigation = (type: string, name: string) => {
  const t = model.get(type)!;
  return t.references.get(name) ?? t.collections.get(name)!;
};

describe('the read scope', () => {
  it('restricts reps under REP_SEES=own only', () => {
    expect(new AccessPolicy(person('rep'), { repSees: 'own' }, 'sqlite').read).toBeDefined();
    expect(new AccessPolicy(person('rep'), { repSees: 'all' }, 'sqlite').read).toBeUndefined();
    for (const role of ['manager', 'admin'] as const) {
      expect(new AccessPolicy(person(role), { repSees: 'own' }, 'sqlite').read).toBeUndefined();
    }
    expect(new AccessPolicy(servicePrincipal, { repSees: 'own' }, 'postgres').read).toBeUndefined();
  });

  it('covers deals and the records of deals, nothing else', () => {
    const scope = ownDealsScope('e1', 'sqlite');
    for (const table of ['activity', 'productline', 'involved', 'timeregistration']) {
      expect(scope.rows(table, 't0', 'search'), table).toBeDefined();
    }
    for (const table of ['pipeline', 'datastore', 'relation', 'relationship', 'product', 'pricelist']) {
      expect(scope.rows(table, 't0', 'search'), table).toBeUndefined();
    }
    expect(scope.searchColumn('activity')).toBe('SalesRepresentativeID');
    expect(scope.searchColumn('productline')).toBe('ActivityID');
    expect(dealColumnOf('involved')).toBe('ActivityID');
  });

  it('lets a rep see their own and unassigned deals; one without an employee record, unassigned ones', () => {
    const own = text(ownDealsScope('e1', 'sqlite').rows('activity', 't0', 'search'))!;
    expect(own.sql).toBe('("t0"."SalesRepresentativeID" IS NULL OR "t0"."SalesRepresentativeID" = ?)');
    expect(own.parameters).toEqual(['e1']);
    const none = text(ownDealsScope(null, 'sqlite').rows('activity', 't0', 'search'))!;
    expect(none.sql).toBe('("t0"."SalesRepresentativeID" IS NULL)');
  });

  it('writes the test form for each row, keeping the owner index out on SQLite only', () => {
    expect(text(ownDealsScope('e1', 'sqlite').rows('activity', 'a', 'test'))!.sql).toBe(
      '(+"a"."SalesRepresentativeID" IS NULL OR +"a"."SalesRepresentativeID" = ?)',
    );
    expect(text(ownDealsScope('e1', 'postgres').rows('activity', 'a', 'test'))!.sql).not.toContain('+');
    // a part: no hidden deal by its key
    expect(text(ownDealsScope('e1', 'sqlite').rows('productline', 'l', 'test'))!.sql).toBe(
      'NOT EXISTS (SELECT 1 FROM "activity" AS "l_deal" WHERE "l_deal"."ID" = "l"."ActivityID" AND "l_deal"."SalesRepresentativeID" <> ?)',
    );
    expect(text(ownDealsScope(null, 'sqlite').rows('productline', 'l', 'test'))!.sql).toContain(
      '"l_deal"."SalesRepresentativeID" IS NOT NULL',
    );
  });

  it('searches the parts of visible deals; a time registration of no deal stays visible', () => {
    const lines = text(ownDealsScope('e1', 'sqlite').rows('productline', 'l', 'search'))!.sql;
    expect(lines).toMatch(/^"l"\."ActivityID" IN \(SELECT "l_deal"\."ID" FROM "activity"/);
    const time = text(ownDealsScope('e1', 'sqlite').rows('timeregistration', 't', 'search'))!.sql;
    expect(time).toMatch(/^\("t"\."ActivityID" IS NULL OR "t"\."ActivityID" IN \(SELECT/);
  });

  it('needs no condition where a navigation cannot leave the visible rows', () => {
    const scope = ownDealsScope('e1', 'sqlite');
    expect(scope.follows(navigation('ProductLine', 'Activity'))).toBe(true);
    expect(scope.follows(navigation('TimeRegistration', 'Activity'))).toBe(true);
    expect(scope.follows(navigation('Activity', 'ProductLines'))).toBe(true);
    expect(scope.follows(navigation('Activity.SalesOpportunity', 'Involved'))).toBe(true);
    // a deal's parent and the deals under it may be another rep's
    expect(scope.follows(navigation('Activity', 'Activity'))).toBe(false);
    expect(scope.follows(navigation('Activity', 'LinkedActivities'))).toBe(false);
  });
});

describe('write rules', () => {
  it('name the reference data only admins change', () => {
    const label = (name: string) => adminOnlyLabel(model.get(name)!);
    expect(label('Pipeline')).toBe('Pipelines');
    expect(label('Datastore.Phase.ActivitySalesOpportunity')).toBe('Phases');
    expect(label('Datastore.Source')).toBe('Sources');
    expect(label('Datastore.LostReason')).toBe('Lost reasons');
    expect(label('PriceList')).toBe('Price lists');
    expect(label('Product')).toBe('Products');
    expect(label('Relation.Person.Contact.Employee')).toBe('Employee records');
    for (const free of [
      'Relation.Person.Contact',
      'Relationship.Organization',
      'Activity.SalesOpportunity',
      'ProductLine',
    ]) {
      expect(label(free), free).toBeUndefined();
    }
  });

  it('assign a rep their new deal unless the body names one', () => {
    const deal = model.get('Activity.SalesOpportunity')!;
    expect(isDeal(deal)).toBe(true);
    const links = new Map<string, string | null>();
    new AccessPolicy(person('rep'), { repSees: 'all' }, 'sqlite').assignNew(deal, links);
    expect(links.get('SalesRepresentative')).toBe('e1');
    const chosen = new Map<string, string | null>([['SalesRepresentative', null]]);
    new AccessPolicy(person('rep'), { repSees: 'all' }, 'sqlite').assignNew(deal, chosen);
    expect(chosen.get('SalesRepresentative')).toBeNull();
    for (const who of [person('manager'), person('rep', null)]) {
      const untouched = new Map<string, string | null>();
      new AccessPolicy(who, { repSees: 'all' }, 'sqlite').assignNew(deal, untouched);
      expect(untouched.size).toBe(0);
    }
  });
});
