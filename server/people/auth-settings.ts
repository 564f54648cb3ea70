// How people sign in: read from the environment by config.ts, used by app.ts and the routes.
import type { AccessSettings, Role } from '../access/principal.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** shown on the button: "Sign in with <label>" */
  label: string;
  /** the role of a person the identity provider signs in for the first time; 'none' refuses them */
  defaultRole: Role | 'none';
  /** a claim of the ID token or userinfo that names the role (rep, manager or admin), if any */
  roleClaim?: string;
}

export interface AuthSettings extends AccessSettings {
  /** the service's own token (integrations): admin rights */
  apiToken?: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** where browsers reach the service, e.g. https://deals.example.com: its host is the only Origin writes may come from, https makes cookies Secure, and SSO returns to it */
  publicUrl?: string;
  oidc?: OidcSettings;
}

export const defaultAuthSettings: AuthSettings = {
  repSees: 'all',
  sessionIdleMs: 2 * 60 * 60_000,
  sessionAbsoluteMs: 24 * 60 * 60_000,
};
