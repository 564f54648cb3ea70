// The drawer's editable fields as form strings, and the partial PATCH body of what changed.
import { link } from '../api/odata-client';
import type { OpportunityDetail } from './api/opportunity-query';

export interface OpportunityForm {
  Subject: string;
  EstimatedAmount: string;
  Currency: string;
  Probability: string;
  ExpectedOrderDate: string;
  Phase: string;
  SalesRepresentative: string;
  Source: string;
}

export const formFields = [
  'Subject',
  'EstimatedAmount',
  'Currency',
  'Probability',
  'ExpectedOrderDate',
  'Phase',
  'SalesRepresentative',
  'Source',
] as const satisfies readonly (keyof OpportunityForm)[];

export function formOf(o: OpportunityDetail): OpportunityForm {
  return {
    Subject: o.Subject ?? '',
    EstimatedAmount: o.EstimatedAmount?.toString() ?? '',
    Currency: o.Currency ?? 'EUR',
    Probability: o.Probability?.toString() ?? '',
    ExpectedOrderDate: o.ExpectedOrderDate ?? '',
    Phase: o.Phase?.ID ?? '',
    SalesRepresentative: o.SalesRepresentative?.ID ?? '',
    Source: o.Source?.ID ?? '',
  };
}

const numberOrNull = (value: string) => (value.trim() === '' ? null : Number(value));

/** Only the changed fields: a partial update leaves the rest (and others' edits) alone. */
export function changesOf(initial: OpportunityForm, draft: OpportunityForm): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of formFields) {
    if (initial[field] === draft[field]) continue;
    const value = draft[field];
    switch (field) {
      case 'EstimatedAmount':
      case 'Probability':
        changes[field] = numberOrNull(value);
        break;
      case 'ExpectedOrderDate':
        changes[field] = value || null;
        break;
      case 'Phase':
      case 'SalesRepresentative':
      case 'Source':
        changes[field] = link(value);
        break;
      default:
        changes[field] = value;
    }
  }
  return changes;
}
