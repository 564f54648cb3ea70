// The people the dashboard's tests sign in as and assign deals to: Tom, a rep linked to his
// employee record, and Sanne, another rep's employee record.
import type { Person } from '../api/person';

export const tomEmployee = {
  ID: '00000000-0000-4000-8000-0000000000e1',
  FirstName: 'Tom',
  LastName: 'Jansen',
};
export const sanneEmployee = {
  ID: '00000000-0000-4000-8000-0000000000a1',
  FirstName: 'Sanne',
  LastName: 'de Vries',
};

/** Tom as the session gives him: a rep, linked to his employee record. */
export const tom: Person = {
  id: 'p-tom',
  email: 'tom@example.com',
  name: 'Tom Jansen',
  role: 'rep',
  employeeId: tomEmployee.ID,
  employeeName: 'Tom Jansen',
  hasPassword: true,
};
