// Parses the resource path of a request (what follows /v1/odata) into segments:
// `Activity_SalesOpportunity(3fa8...)/ProductLines/$count` → set, key, navigation, $count.
import { badRequest, ODataError } from '../query/errors.ts';

export interface PathSegment {
  name: string;
  /** the key in parentheses, lower-cased GUID */
  key?: string;
}

export interface ResourcePath {
  segments: PathSegment[];
  /** `$count`, `$ref` or `$value` at the end */
  suffix?: '$count' | '$ref' | '$value';
}

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function parseKey(text: string, where: string): string {
  // the hosted API's bare GUIDs, and the forms other OData clients write: (ID=...), ('...')
  const inner = text.replace(/^ID=/, '').replace(/^'(.*)'$/, '$1');
  if (!guid.test(inner)) {
    throw badRequest(
      `The key '${text}' of ${where} is not a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6`,
      where,
      'InvalidKey',
    );
  }
  return inner.toLowerCase();
}

export function parseResourcePath(path: string): ResourcePath {
  const raw = path.replace(/^\/+|\/+$/g, '');
  if (raw === '') return { segments: [] };
  const parts = raw.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw badRequest(`Malformed percent-encoding in the path segment '${part}'`, 'path');
    }
  });
  const segments: PathSegment[] = [];
  let suffix: ResourcePath['suffix'];
  parts.forEach((part, index) => {
    if (part === '$count' || part === '$ref' || part === '$value') {
      if (index !== parts.length - 1) throw badRequest(`${part} must be the last path segment`, 'path');
      if (segments.length === 0)
        throw new ODataError(404, 'NotFound', `${part} needs a resource before it`, 'path');
      suffix = part;
      return;
    }
    const match = /^(\$?[A-Za-z_][A-Za-z0-9_.]*)(?:\((.*)\))?$/.exec(part);
    if (!match) throw new ODataError(404, 'NotFound', `'${part}' is not a resource of this service`, 'path');
    const [, name, key] = match;
    segments.push(key === undefined ? { name } : { name, key: parseKey(key, name) });
  });
  return { segments, suffix };
}
