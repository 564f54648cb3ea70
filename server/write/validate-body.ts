// Checks a JSON body against the model before anything is written: known fields, right types,
// ranges, no writes to server-maintained fields, links as {"ID": ...} or @odata.bind.
import { z } from 'zod';
import type { PropertyDef } from '../model/define.ts';
import { type EntityType, entitySets, model } from '../model/model.ts';
import { type ErrorDetail, NotImplementedError, ODataError } from '../query/errors.ts';
import { unstorableCharacter } from '../query/storable-text.ts';

export const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface ValidatedBody {
  /** property values by name, in the database's JS form (dates as ISO strings) */
  values: Map<string, unknown>;
  /** references by navigation name: the target's ID, or null to unlink */
  links: Map<string, string | null>;
  /** `ID` from the body, lower-cased */
  id?: string;
}

const int32 = 2 ** 31;

function schemaFor(property: PropertyDef): z.ZodType {
  let schema: z.ZodType;
  switch (property.type) {
    case 'Edm.Guid':
      schema = z.string().regex(guidPattern, 'must be a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6');
      break;
    case 'Edm.String': {
      // first, so that its message is the one shown: the same rule as for URL literals
      let s = z.string().superRefine((text, ctx) => {
        const found = unstorableCharacter(text);
        if (found) ctx.addIssue({ code: 'custom', message: `must not contain ${found.description}` });
      });
      if (property.required) s = s.trim().min(1, 'must not be empty');
      // the pattern says best what is expected, so it speaks first
      if (property.pattern)
        s = s.regex(new RegExp(property.pattern.regex), `must be ${property.pattern.description}`);
      if (property.maxLength)
        s = s.max(property.maxLength, `must be at most ${property.maxLength} characters`);
      schema = s;
      break;
    }
    case 'Edm.Double':
    case 'Edm.Int32': {
      let n = z.number({ error: 'must be a number' });
      if (property.type === 'Edm.Int32')
        n = n
          .int('must be a whole number')
          .min(-int32)
          .max(int32 - 1);
      if (property.min !== undefined) n = n.min(property.min, `must be at least ${property.min}`);
      if (property.max !== undefined) n = n.max(property.max, `must be at most ${property.max}`);
      schema = n;
      break;
    }
    case 'Edm.Boolean':
      schema = z.boolean({ error: 'must be true or false' });
      break;
    case 'Edm.Date':
      schema = z.iso.date({ error: 'must be a date such as 2026-12-31' });
      break;
    case 'Edm.DateTimeOffset':
      schema = z.iso
        .datetime({
          offset: true,
          error: 'must be a date-time with offset such as 2026-01-01T09:00:00+01:00',
        })
        .transform((s) => new Date(s).toISOString());
      break;
  }
  return property.nullable === false ? schema : schema.nullable();
}

const schemas = new Map<string, Map<string, z.ZodType>>();
function propertySchemas(type: EntityType) {
  let found = schemas.get(type.name);
  if (!found) {
    found = new Map([...type.properties.values()].map((p) => [p.name, schemaFor(p)]));
    schemas.set(type.name, found);
  }
  return found;
}

const bindTarget = /(?:^|\/)([A-Za-z_][\w]*)\((?:ID=)?'?([0-9a-fA-F-]{36})'?\)$/;

/** Fields a client copies back from a GET that carry nothing to write. */
const echoedFields = new Set(['_Name']);

export function validateBody(type: EntityType, body: unknown, mode: 'create' | 'update'): ValidatedBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ODataError(400, 'InvalidBody', 'The request body must be a JSON object');
  }
  const problems: ErrorDetail[] = [];
  const problem = (target: string, message: string, code = 'InvalidValue') =>
    problems.push({ code, target, message: `${target}: ${message}` });
  const values = new Map<string, unknown>();
  const links = new Map<string, string | null>();
  let id: string | undefined;
  const schemasOfType = propertySchemas(type);

  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.endsWith('@odata.bind')) {
      const name = key.slice(0, -'@odata.bind'.length);
      const reference = type.references.get(name);
      if (!reference) {
        if (type.collections.has(name)) {
          throw new NotImplementedError(
            `Binding the collection ${name} is not supported; link from the other side`,
            key,
          );
        }
        problem(key, `${type.name} has no single-valued navigation '${name}'`, 'UnknownProperty');
        continue;
      }
      if (value === null) {
        if (reference.required) problem(key, `${name} is required and cannot be unlinked`);
        else links.set(name, null);
        continue;
      }
      const match = typeof value === 'string' ? bindTarget.exec(value) : null;
      const expectedSet = model.get(reference.target)!;
      const set = match ? entitySets.get(match[1]) : undefined;
      if (!match || !set) {
        problem(key, `must be an entity reference such as "${expectedSet.setName}(<guid>)"`);
        continue;
      }
      links.set(name, match[2].toLowerCase());
      continue;
    }
    if (key.includes('@')) continue; // instance and property annotations
    const property = type.properties.get(key);
    if (property) {
      if (key === 'ID') {
        const parsed = schemasOfType.get('ID')!.safeParse(value);
        if (!parsed.success || typeof value !== 'string')
          problem(key, 'must be a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6');
        else id = value.toLowerCase();
        continue;
      }
      if (key === '_Type') {
        if (value !== type.name)
          problem(key, `is ${type.name} for this entity set and cannot be changed`, 'ReadOnly');
        continue;
      }
      if (echoedFields.has(key)) continue;
      if (property.readOnly) {
        problem(key, 'is computed by the server and cannot be written', 'ReadOnly');
        continue;
      }
      if (value === undefined) continue;
      if (value === null && property.nullable === false) {
        problem(key, 'cannot be null');
        continue;
      }
      const parsed = schemasOfType.get(key)!.safeParse(value);
      if (!parsed.success) {
        problem(key, `${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${preview(value)})`);
        continue;
      }
      values.set(key, parsed.data);
      continue;
    }
    const reference = type.references.get(key);
    if (reference) {
      if (value === null) {
        if (reference.required) problem(key, 'is required and cannot be unlinked');
        else links.set(key, null);
        continue;
      }
      const linkId = linkIdOf(value);
      if (linkId === 'deep') {
        problem(
          key,
          'links are written as {"ID": "<guid>"}; changing the linked record through this one is not supported',
        );
      } else if (!linkId) {
        problem(key, 'must be {"ID": "<guid>"} or null');
      } else {
        links.set(key, linkId);
      }
      continue;
    }
    const collection = type.collections.get(key);
    if (collection) {
      const targetSet = model.get(collection.target)!.setName;
      if (!Array.isArray(value)) {
        problem(key, `is a collection of ${targetSet} records, not a value`);
        continue;
      }
      throw new NotImplementedError(
        `Deep insert into ${key} is not supported: create the ${targetSet} records on their own, linked to this one`,
        key,
      );
    }
    problem(key, `unknown property of ${type.name}`, 'UnknownProperty');
  }

  if (mode === 'create') {
    for (const property of type.properties.values()) {
      if (property.required && !values.has(property.name)) problem(property.name, 'is required');
    }
    for (const reference of type.references.values()) {
      if (reference.required && !links.get(reference.name))
        problem(reference.name, 'is required: link it with {"ID": "<guid>"}');
    }
  }

  if (problems.length > 0) {
    const message =
      problems.length === 1
        ? problems[0].message
        : `${problems.length} fields are invalid: ${problems.map((p) => p.message).join('; ')}`;
    throw new ODataError(400, problems[0].code, message, problems[0].target, problems);
  }
  return { values, links, id };
}

/** The ID of a nested link object; 'deep' when it carries fields other than its identity. */
function linkIdOf(value: unknown): string | 'deep' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.ID !== 'string' || !guidPattern.test(record.ID)) return undefined;
  const identity = new Set(['ID', '_Type', '_Name']);
  if (Object.keys(record).some((k) => !identity.has(k) && !k.startsWith('@'))) return 'deep';
  return record.ID.toLowerCase();
}

const PREVIEW_LENGTH = 100;

/** The refused value as JSON for a message, cut short: an error need not echo a megabyte back. */
function preview(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    // JSON.stringify recurses: a value nested deeper than the stack allows cannot be shown
    return 'a value nested too deeply to show';
  }
  return json.length > PREVIEW_LENGTH ? `${json.slice(0, PREVIEW_LENGTH)}...` : json;
}
