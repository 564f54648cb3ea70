import { describe, expect, it } from 'vitest';
import { entitySets, model, referencesTo, tableColumns } from './model.ts';

describe('entity model', () => {
  it('serves every relationship target of the seed as its own entity set', () => {
    for (const set of [
      'Activity_SalesOpportunity',
      'Relationship',
      'Relation_Person_Contact',
      'ProductLine',
      'Involved',
      'Datastore_Phase_ActivitySalesOpportunity',
      'Pipeline',
      'Datastore_Source',
      'Relation_Person_Contact_Employee',
      'Datastore_LostReason',
      'Relationship_Organization_Competitor',
      'PriceList',
      'Activity',
      'TimeRegistration',
    ]) {
      expect(entitySets.has(set), set).toBe(true);
    }
  });

  it('gives a sales opportunity the seed fields, inherited and its own', () => {
    const opportunity = model.get('Activity.SalesOpportunity')!;
    for (const field of [
      'ID',
      '_Type',
      'SortIndex',
      'IsClosed',
      'Probability',
      'WeightedAmount',
      'Subject',
      'TotalMargin',
      'ImportId',
    ]) {
      expect(opportunity.properties.has(field), field).toBe(true);
    }
    expect([...opportunity.references.keys()].sort()).toEqual(
      [
        'Activity',
        'Contact',
        'LostReason',
        'LostToCompetitor',
        'Phase',
        'Pipeline',
        'PriceList',
        'Relationship',
        'SalesRepresentative',
        'Source',
      ].sort(),
    );
    expect([...opportunity.collections.keys()].sort()).toEqual([
      'Involved',
      'LinkedActivities',
      'ProductLines',
      'TimeRegistrations',
    ]);
    expect(opportunity.table).toBe('activity');
  });

  it('lists subtypes in base sets and stores a hierarchy in one table', () => {
    const relationship = model.get('Relationship')!;
    expect(relationship.typeNames).toEqual(
      expect.arrayContaining(['Relationship.Organization', 'Relationship.Organization.Competitor']),
    );
    expect(relationship.abstract).toBe(true);
    expect(model.get('Relationship.Organization.Competitor')!.table).toBe('relationship');
    const columns = tableColumns(relationship).properties.map((p) => p.name);
    expect(columns).toContain('Industry');
  });

  it('finds the references that point at a type, through its bases', () => {
    const owners = referencesTo(model.get('Relationship.Organization.Competitor')!).map(
      (r) => `${r.owner.name}.${r.reference.name}`,
    );
    expect(owners).toEqual(
      expect.arrayContaining(['Activity.Relationship', 'Activity.SalesOpportunity.LostToCompetitor']),
    );
  });
});
