// A person as the sign-in routes describe them: the one definition the dashboard imports too
// (src/api/person.ts), so a renamed field breaks the build instead of the header.
import type { Role } from '../access/principal.ts';

export interface Person {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** the employee record that is the SalesRepresentative of this person's deals */
  employeeId: string | null;
  employeeName: string | null;
  hasPassword: boolean;
  active: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}
