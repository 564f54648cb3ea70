// Direct calls to the OData service, for tests to arrange data and check what the UI wrote.
export interface PhaseRow {
  ID: string;
  Code: string;
  Name: string;
  Probability: number;
  IsWon: boolean;
  IsLost: boolean;
  SortIndex: number;
  Pipeline: { ID: string } | null;
}

export class ServiceApi {
  constructor(readonly serviceRoot: string) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(`${this.serviceRoot}/${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }

  get<T>(path: string) {
    return this.request<T>('GET', path);
  }

  async list<T>(path: string): Promise<T[]> {
    return (await this.get<{ value: T[] }>(path)).value;
  }

  create<T extends { ID: string }>(set: string, body: Record<string, unknown>) {
    return this.request<T>('POST', set, body);
  }

  patch<T>(set: string, id: string, body: Record<string, unknown>) {
    return this.request<T>('PATCH', `${set}(${id})`, body);
  }

  async pipelines() {
    return this.list<{ ID: string; Name: string }>('Pipeline?$orderby=SortIndex');
  }

  /** The columns of a pipeline, in board order. */
  async phases(pipelineId: string) {
    return this.list<PhaseRow>(
      `Datastore_Phase_ActivitySalesOpportunity?$filter=Pipeline/ID eq ${pipelineId} or Pipeline eq null&$orderby=SortIndex&$expand=Pipeline($select=ID)`,
    );
  }

  opportunity(id: string) {
    return this.get<{
      ID: string;
      Subject: string;
      Probability: number;
      IsClosed: boolean;
      SortIndex: number;
      '@odata.etag': string;
      Phase: { ID: string; Name: string } | null;
      LostReason: { ID: string; Name: string } | null;
    }>(`Activity_SalesOpportunity(${id})?$expand=Phase,LostReason`);
  }
}
