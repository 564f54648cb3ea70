// A small, realistic data set written through the API: what a test or a benchmark needs on
// top of the reference data, independent of the demo data generator.
import type { ServiceApi } from './service-api';

const companies = [
  'Acme BV',
  'Globex GmbH',
  'Initech Ltd',
  'Umbrella NV',
  'Stark Industries',
  'Wayne Enterprises',
  'Hooli',
  'Vandelay Import',
];
const people = [
  ['Sanne', 'de Vries'],
  ['Tom', 'Jansen'],
  ['Priya', 'Shah'],
  ['Lukas', 'Müller'],
];
const topics = [
  'CRM rollout',
  'License renewal',
  'Support contract',
  'Data migration',
  'Training days',
  'Cloud hosting',
  'API integration',
  'Pilot project',
];
const currencies = ['EUR', 'EUR', 'EUR', 'USD', 'GBP'];

export interface SeedResult {
  pipelineId: string;
  organizations: string[];
  reps: string[];
}

export async function ensureCompetitors(api: ServiceApi) {
  const existing = await api.list<{ ID: string }>('Relationship_Organization_Competitor?$top=1');
  if (existing.length === 0) {
    for (const name of ['Salesflow Inc', 'PipeCo'])
      await api.create('Relationship_Organization_Competitor', { Name: name });
  }
}

/** Creates `count` open opportunities spread over the open phases of the first pipeline. */
export async function seedOpportunities(
  api: ServiceApi,
  count: number,
  concurrency = 8,
): Promise<SeedResult> {
  const [pipeline] = await api.pipelines();
  const phases = (await api.phases(pipeline.ID)).filter((p) => !p.IsWon && !p.IsLost);
  await ensureCompetitors(api);
  const organizations: string[] = [];
  for (const name of companies)
    organizations.push((await api.create<{ ID: string }>('Relationship_Organization', { Name: name })).ID);
  const reps: string[] = [];
  for (const [FirstName, LastName] of people) {
    reps.push(
      (await api.create<{ ID: string }>('Relation_Person_Contact_Employee', { FirstName, LastName })).ID,
    );
  }
  const sources = await api.list<{ ID: string }>('Datastore_Source');
  const today = new Date();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const date = new Date(today.getTime() + ((i % 120) - 30) * 86_400_000).toISOString().slice(0, 10);
      await api.create('Activity_SalesOpportunity', {
        Subject: `${topics[i % topics.length]} ${companies[i % companies.length].split(' ')[0]} #${i + 1}`,
        EstimatedAmount: 1000 + ((i * 7919) % 90) * 500,
        Currency: currencies[i % currencies.length],
        ExpectedOrderDate: date,
        SortIndex: Math.floor(i / phases.length) + 1,
        Phase: { ID: phases[i % phases.length].ID },
        Pipeline: { ID: pipeline.ID },
        Relationship: { ID: organizations[i % organizations.length] },
        SalesRepresentative: { ID: reps[i % reps.length] },
        Source: { ID: sources[i % sources.length].ID },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { pipelineId: pipeline.ID, organizations, reps };
}
