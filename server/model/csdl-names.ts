// In $metadata every type lives in one schema namespace under its entity-set name
// (Dealdeck.Activity_SalesOpportunity): dotted CSDL namespaces such as "Datastore.Phase" would
// collide with the type Datastore.Phase. `_Type` keeps the hosted CRM's dotted names.
export const namespace = 'Dealdeck';

export const qualifiedName = (typeName: string) => `${namespace}.${typeName.replaceAll('.', '_')}`;

/** The model's type name for a CSDL name or `_Type` value ('#Dealdeck.Activity_SalesOpportunity' or 'Activity.SalesOpportunity'). */
export function typeNameFromCsdl(name: string, known: (typeName: string) => boolean): string | undefined {
  const bare = name.replace(/^#/, '');
  if (known(bare)) return bare;
  if (!bare.startsWith(`${namespace}.`)) return undefined;
  const simple = bare.slice(namespace.length + 1);
  // underscores stand for dots; find the model type they name
  const candidate = simple.replaceAll('_', '.');
  return known(candidate) ? candidate : undefined;
}
