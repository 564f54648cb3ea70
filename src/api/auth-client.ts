// Requests to Dealdeck's own sign-in service under /auth.
import { type JsonMethod, jsonRequest } from './json-request';

export const authRoot = '/auth';

export const authRequest = <T>(method: JsonMethod, path: string, body?: unknown, signal?: AbortSignal) =>
  jsonRequest<T>(method, `${authRoot}${path}`, body, signal);
