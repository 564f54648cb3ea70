// The signed-in person, as /auth/session and /auth/sign-in describe them.
export type Role = 'rep' | 'manager' | 'admin';

export interface Person {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** the employee record this person is (deals' SalesRepresentative), if any */
  employeeId: string | null;
  employeeName: string | null;
  hasPassword: boolean;
}

export const roles: readonly Role[] = ['rep', 'manager', 'admin'];

export const roleLabels: Record<Role, string> = { rep: 'Sales rep', manager: 'Manager', admin: 'Admin' };

/** Managers and admins may change every deal; a rep their own and unassigned ones. */
export const changesEveryDeal = (person: Person) => person.role === 'manager' || person.role === 'admin';
