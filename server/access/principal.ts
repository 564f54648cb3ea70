// Who a request acts for. Every API request has one (app.ts refuses those without); the access
// policy (policy.ts) reads it to decide what the request may read and write.

export const roles = ['rep', 'manager', 'admin'] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role => roles.includes(value as Role);

export interface Principal {
  /** a person signed in (by cookie or personal token), or the service's own API_TOKEN */
  kind: 'person' | 'service';
  /** the person's ID; 'service' for API_TOKEN */
  id: string;
  name: string;
  role: Role;
  /**
   * The employee record (`Relation_Person_Contact_Employee`) that stands for this person: the
   * `SalesRepresentative` of their deals. null for the service, and for a person not linked.
   */
  employeeId: string | null;
  /** a session cookie is sent by the browser on its own: its writes need a same-origin check */
  via: 'session' | 'personal-token' | 'api-token';
}

/** What a rep may read of other reps' deals (the REP_SEES setting). */
export type RepSees = 'all' | 'own';

export interface AccessSettings {
  repSees: RepSees;
}

/** The service's own token (API_TOKEN): integrations, with admin rights. */
export const servicePrincipal: Principal = {
  kind: 'service',
  id: 'service',
  name: 'API token',
  role: 'admin',
  employeeId: null,
  via: 'api-token',
};

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}
