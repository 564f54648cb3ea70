// The filter objects odata-query turns into `$filter`: features build these, never strings.
import { guid } from 'odata-query';

// biome-ignore lint/suspicious/noExplicitAny: odata-query's own filter type is this loose
export type ODataFilter = Record<string, any>;

export const byId = (navigation: string, id: string): ODataFilter => ({
  [`${navigation}/ID`]: { eq: guid(id) },
});

export const allOf = (...filters: (ODataFilter | undefined)[]): ODataFilter => {
  const present = filters.filter((f): f is ODataFilter => !!f && Object.keys(f).length > 0);
  return present.length === 1 ? present[0] : { and: present };
};
