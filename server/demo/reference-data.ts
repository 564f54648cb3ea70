// The lookup records every installation starts with: pipelines and their phases, lead
// sources and lost reasons. Fixed IDs, so that links and bookmarks survive a re-seed.
import type { Store } from '../db/database.ts';
import { entitySets } from '../model/model.ts';
import { createEntity } from '../write/write-entity.ts';
import { seededRandom } from './random.ts';

interface PhaseSeed {
  code: string;
  name: string;
  probability: number;
  won?: boolean;
  lost?: boolean;
}

const pipelines: { name: string; phases: PhaseSeed[] }[] = [
  {
    name: 'New business',
    phases: [
      { code: 'Lead', name: 'Lead', probability: 10 },
      { code: 'Qualified', name: 'Qualified', probability: 20 },
      { code: 'Proposal', name: 'Proposal sent', probability: 40 },
      { code: 'Negotiation', name: 'Negotiation', probability: 60 },
      { code: 'Verbal', name: 'Verbal agreement', probability: 80 },
    ],
  },
  {
    name: 'Renewals',
    phases: [
      { code: 'RenewalDue', name: 'Renewal due', probability: 50 },
      { code: 'RenewalOffer', name: 'Renewal offer sent', probability: 70 },
      { code: 'RenewalNegotiation', name: 'Renewal negotiation', probability: 85 },
    ],
  },
  {
    name: 'Partnerships',
    phases: [
      { code: 'Exploration', name: 'Exploration', probability: 10 },
      { code: 'Pilot', name: 'Pilot', probability: 30 },
      { code: 'Contract', name: 'Contract drafting', probability: 70 },
    ],
  },
];

/** Won and Lost have no pipeline: every pipeline ends in them. */
const closingPhases: PhaseSeed[] = [
  { code: 'Won', name: 'Won', probability: 100, won: true },
  { code: 'Lost', name: 'Lost', probability: 0, lost: true },
];

const sources = [
  'Website',
  'Referral',
  'Trade show',
  'Cold call',
  'Partner',
  'LinkedIn',
  'Existing customer',
];
const lostReasons = [
  'Price too high',
  'Chose a competitor',
  'No budget',
  'No decision made',
  'Bad timing',
  'Missing features',
];

export async function createReferenceData(store: Store, now = new Date().toISOString()) {
  const random = seededRandom(1);
  const create = (set: string, body: Record<string, unknown>) =>
    createEntity(store, entitySets.get(set)!, { ID: random.uuid(), ...body }, now);
  let pipelineIndex = 0;
  for (const pipeline of pipelines) {
    const { id } = await create('Pipeline', { Name: pipeline.name, SortIndex: ++pipelineIndex });
    let phaseIndex = 0;
    for (const phase of pipeline.phases) {
      await create('Datastore_Phase_ActivitySalesOpportunity', phaseBody(phase, ++phaseIndex, { ID: id }));
    }
  }
  let closingIndex = 100;
  for (const phase of closingPhases) {
    await create('Datastore_Phase_ActivitySalesOpportunity', phaseBody(phase, ++closingIndex, null));
  }
  let i = 0;
  for (const name of sources)
    await create('Datastore_Source', { Code: name.replace(/\W/g, ''), Name: name, SortIndex: ++i });
  i = 0;
  for (const name of lostReasons) {
    await create('Datastore_LostReason', { Code: name.replace(/\W/g, ''), Name: name, SortIndex: ++i });
  }
}

const phaseBody = (phase: PhaseSeed, sortIndex: number, pipeline: { ID: string } | null) => ({
  Code: phase.code,
  Name: phase.name,
  Probability: phase.probability,
  IsWon: phase.won ?? false,
  IsLost: phase.lost ?? false,
  SortIndex: sortIndex,
  Pipeline: pipeline,
});
