// CSDL needs a namespace for every type; the hosted CRM's dotted names give one, except for
// the types whose name has no dot, which live in the service's own namespace.
export const defaultNamespace = 'Dealdeck';

export function splitQualifiedName(name: string) {
  const dot = name.lastIndexOf('.');
  return dot < 0
    ? { namespace: defaultNamespace, simpleName: name }
    : { namespace: name.slice(0, dot), simpleName: name.slice(dot + 1) };
}

export const qualifiedName = (typeName: string) => {
  const { namespace, simpleName } = splitQualifiedName(typeName);
  return `${namespace}.${simpleName}`;
};
