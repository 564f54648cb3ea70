// The kinds of change the journal records; a file of its own so the dashboard can import it.
export type ChangeKind = 'created' | 'updated' | 'deleted';
