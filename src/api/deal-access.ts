// Whether the signed-in person may change a deal, and if not, why: the same rule the service
// enforces (a rep changes their own and unassigned deals; managers and admins every deal), so
// the dashboard can lock a card instead of failing after the drop. Without a person (another
// service, reached with a token) the service alone decides.
import type { Employee } from './entities';
import { repName } from './lookup-queries';
import { changesEveryDeal, type Person } from './person';

export type DealOwner = Pick<Employee, 'ID' | 'FirstName' | 'LastName'>;

export type DealAccess =
  | { canChange: true }
  | {
      canChange: false;
      /** the owner's name, e.g. "Sanne de Vries" */
      owner: string;
      /** "Sanne de Vries's deal" */
      label: string;
      /** a sentence saying who may change it */
      reason: string;
    };

const allowed: DealAccess = { canChange: true };
const sameId = (a: string, b: string | null) => !!b && a.toLowerCase() === b.toLowerCase();

export function dealAccess(person: Person | null, owner: DealOwner | null | undefined): DealAccess {
  if (!person || changesEveryDeal(person) || !owner || sameId(owner.ID, person.employeeId)) return allowed;
  const name = repName(owner) || 'another rep';
  return {
    canChange: false,
    owner: name,
    label: `${name}'s deal`,
    reason: `Only ${name} or a manager can change ${name}'s deal.`,
  };
}
