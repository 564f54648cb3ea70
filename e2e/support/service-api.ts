// Direct calls to the OData service, for tests to arrange data and check what the UI wrote. They
// carry the service's own token (API_TOKEN, admin rights), which the e2e run sets.
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
  constructor(
    readonly serviceRoot: string,
    readonly token = process.env.E2E_API_TOKEN,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return this.send<T>(method, `${this.serviceRoot}/${path}`, body, headers);
  }

  /** The sign-in service beside the API: /auth/people and the like, as the service itself. */
  auth<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, `${new URL(this.serviceRoot).origin}/auth${path}`, body);
  }

  private async send<T>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(url, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
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
