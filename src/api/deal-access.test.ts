import { describe, expect, it } from 'vitest';
import { dealAccess } from './deal-access';
import type { Person } from './person';

const sanne = { ID: '00000000-0000-4000-8000-0000000000a1', FirstName: 'Sanne', LastName: 'de Vries' };
const tom = { ID: '00000000-0000-4000-8000-0000000000a2', FirstName: 'Tom', LastName: 'Jansen' };
const person = (role: Person['role'], employeeId: string | null = tom.ID): Person => ({
  id: 'p1',
  email: 'tom@example.com',
  name: 'Tom Jansen',
  role,
  employeeId,
  employeeName: employeeId ? 'Tom Jansen' : null,
  hasPassword: true,
});

describe('dealAccess', () => {
  it('lets a rep change their own and unassigned deals', () => {
    expect(dealAccess(person('rep'), tom).canChange).toBe(true);
    expect(dealAccess(person('rep'), { ...tom, ID: tom.ID.toUpperCase() }).canChange).toBe(true);
    expect(dealAccess(person('rep'), null).canChange).toBe(true);
    expect(dealAccess(person('rep'), undefined).canChange).toBe(true);
  });

  it("locks another rep's deal for a rep, naming the owner", () => {
    expect(dealAccess(person('rep'), sanne)).toEqual({
      canChange: false,
      owner: 'Sanne de Vries',
      label: "Sanne de Vries's deal",
      reason: "Only Sanne de Vries or a manager can change Sanne de Vries's deal.",
    });
    // a rep who is no employee changes only unassigned deals
    expect(dealAccess(person('rep', null), tom).canChange).toBe(false);
  });

  it('lets managers and admins change every deal, and leaves another service to decide', () => {
    expect(dealAccess(person('manager'), sanne).canChange).toBe(true);
    expect(dealAccess(person('admin', null), sanne).canChange).toBe(true);
    expect(dealAccess(null, sanne).canChange).toBe(true);
  });
});
