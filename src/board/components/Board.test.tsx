import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { odata } from '../../api/odata-client';
import type { Person } from '../../api/person';
import { authKeys } from '../../api/query-keys';
import { fakeService, type RecordedRequest } from '../../test/fake-service';
import { createTestClient, renderWithClient } from '../../test/render-with-client';
import { tom, tomEmployee } from '../../test/test-people';
import { Board } from './Board';
import { dragInstructionsId } from './drag-instructions-id';

const pipelineId = '00000000-0000-4000-8000-000000000001';
const lead = {
  ID: '00000000-0000-4000-8000-00000000000a',
  Name: 'Lead',
  Code: 'Lead',
  Probability: 10,
  SortIndex: 1,
  IsWon: false,
  IsLost: false,
};
const won = {
  ID: '00000000-0000-4000-8000-00000000000b',
  Name: 'Won',
  Code: 'Won',
  Probability: 100,
  SortIndex: 101,
  IsWon: true,
  IsLost: false,
};
const card = (n: number, phase: string, extra: object = {}) => ({
  ID: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
  Subject: `Deal ${n}`,
  Number: `2026-000${n}`,
  EstimatedAmount: 1000 * n,
  WeightedAmount: 100 * n,
  Probability: 10,
  Currency: 'EUR',
  ExpectedOrderDate: '2020-01-01',
  IsClosed: false,
  SortIndex: n,
  LastMutationDate: new Date().toISOString(),
  Relationship: { ID: 'r', Name: 'Acme BV' },
  SalesRepresentative: { ID: 's', FirstName: 'Sanne', LastName: 'de Vries' },
  phase,
  ...extra,
});

const cards = [card(1, lead.ID), card(2, lead.ID, { Currency: 'USD' }), card(3, won.ID, { IsClosed: true })];

/** Our service's $metadata advertises $apply (the fake service answers JSON only). */
const advertiseApply = () =>
  vi
    .spyOn(odata, 'metadata')
    .mockResolvedValue(
      '<EntityContainer Name="Default"><Annotation Term="Aggregation.ApplySupported"/></EntityContainer>',
    );

/** What `groupby((Phase/ID,Currency),aggregate(...))` answers over the fake's opportunities. */
function applyGroups(opportunities: typeof cards) {
  const groups = new Map<string, Record<string, unknown>>();
  for (const o of opportunities) {
    const key = `${o.phase} ${o.Currency}`;
    const group = groups.get(key) ?? {
      Phase: { ID: o.phase },
      Currency: o.Currency,
      Estimated: 0,
      Weighted: 0,
      Count: 0,
    };
    groups.set(key, {
      ...group,
      Estimated: (group.Estimated as number) + o.EstimatedAmount,
      Weighted: (group.Weighted as number) + o.WeightedAmount,
      Count: (group.Count as number) + 1,
    });
  }
  return [...groups.values()];
}

/** Answers to $apply wait for this: a test can hold back the refetch that follows a move. */
let totalsGate = Promise.resolve();

function serve(opportunities = cards, phases = [lead, won], routes: Parameters<typeof fakeService>[0] = {}) {
  return fakeService({
    ...routes,
    'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({ body: { value: phases } }),
    'GET /v1/odata/Activity_SalesOpportunity': (request) => {
      if (request.url.searchParams.has('$apply')) {
        // what the sums were when asked, however long the answer takes
        const value = applyGroups(opportunities);
        return totalsGate.then(() => ({ body: { value } }));
      }
      const filter = request.url.searchParams.get('$filter') ?? '';
      const rows = opportunities.filter(
        (o) => !filter.includes('Phase/ID') || filter.includes(`Phase/ID eq ${o.phase}`),
      );
      return { body: { value: rows.map(({ phase, ...o }) => ({ ...o, Phase: { ID: phase } })) } };
    },
  });
}

afterEach(() => {
  totalsGate = Promise.resolve();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('Board', () => {
  it('shows each phase as a region named after it, with its cards as articles named by subject', async () => {
    serve();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    expect(await within(leadColumn).findByRole('article', { name: 'Deal 1' })).toBeInTheDocument();
    expect(within(leadColumn).getByRole('article', { name: 'Deal 2' })).toBeInTheDocument();
    const wonColumn = screen.getByRole('region', { name: /^Won/ });
    expect(await within(wonColumn).findByRole('article', { name: 'Deal 3' })).toBeInTheDocument();
    // an open deal past its expected date is marked overdue; a closed one is not
    expect(within(leadColumn).getAllByText('(overdue)')).toHaveLength(2);
    expect(within(wonColumn).queryByText('(overdue)')).toBeNull();
  });

  it('sums each currency separately in the column header', async () => {
    serve();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    const sums = within(leadColumn).getByTestId('column-sums');
    await waitFor(() => expect(sums).toHaveTextContent('US$2,000'));
    expect(sums).toHaveTextContent('€1,000');
    expect(sums).not.toHaveTextContent('3,000');
    expect(within(leadColumn).getByText('2')).toBeInTheDocument();
  });

  it('gets the totals from one grouped request where the service advertises $apply', async () => {
    advertiseApply();
    const { requests } = serve();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    const sums = within(leadColumn).getByTestId('column-sums');
    await waitFor(() => expect(sums).toHaveTextContent('US$2,000'));
    expect(sums).toHaveTextContent('€1,000');
    expect(within(leadColumn).getByRole('banner')).toHaveTextContent(/^Lead2 opportunities/);
    const wonColumn = screen.getByRole('region', { name: /^Won/ });
    expect(within(wonColumn).getByRole('banner')).toHaveTextContent(/^Won1 opportunities/);
    const listings = requests.filter((r) => r.url.pathname.endsWith('/Activity_SalesOpportunity'));
    // one grouped request beside the column pages, and no listing of the whole pipeline
    expect(listings.filter((r) => r.url.searchParams.has('$apply'))).toHaveLength(1);
    expect(listings.filter((r) => !r.url.searchParams.has('$apply'))).toHaveLength(2);
    expect(listings.every((r) => r.url.searchParams.has('$apply') || r.url.searchParams.has('$top'))).toBe(
      true,
    );
  });

  it('opens a card with Enter', async () => {
    serve();
    const onOpen = vi.fn();
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={onOpen} />);
    const article = await screen.findByRole('article', { name: 'Deal 1' });
    article.focus();
    await userEvent.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith(cards[0].ID);
  });

  it('marks a card untouched for longer than the stale threshold', async () => {
    serve([card(1, lead.ID, { LastMutationDate: '2020-01-01T00:00:00Z' }), card(2, lead.ID)]);
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const stale = await screen.findByRole('article', { name: 'Deal 1' });
    expect(within(stale).getByText('Stale')).toBeInTheDocument();
    expect(within(screen.getByRole('article', { name: 'Deal 2' })).queryByText('Stale')).toBeNull();
  });

  it('shows an error with a retry when a column cannot load', async () => {
    let fail = true;
    fakeService({
      'GET /v1/odata/Datastore_Phase_ActivitySalesOpportunity': () => ({ body: { value: [lead] } }),
      'GET /v1/odata/Activity_SalesOpportunity': () =>
        fail
          ? { status: 503, body: { error: { code: 'Unavailable', message: 'The service is busy' } } }
          : { body: { value: [] } },
    });
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const column = await screen.findByRole('region', { name: /^Lead/ });
    expect(await within(column).findByText('The service is busy')).toBeInTheDocument();
    fail = false;
    await userEvent.click(within(column).getByRole('button', { name: 'Try again' }));
    expect(await within(column).findByText('No opportunities')).toBeInTheDocument();
  });
});

// jsdom has no IntersectionObserver, so every card is live there; this stand-in lets a test say
// which cards are near the visible part of their column (see useLiveCards).
class StubIntersectionObserver {
  static instances = new Set<StubIntersectionObserver>();
  readonly targets = new Set<Element>();
  readonly root = null;
  readonly rootMargin = '';
  readonly thresholds = [];
  constructor(private readonly callback: IntersectionObserverCallback) {
    StubIntersectionObserver.instances.add(this);
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
    StubIntersectionObserver.instances.delete(this);
  }
  takeRecords() {
    return [];
  }
  /** reports every observed card, near or not as the test says */
  static report(isNear: (subject: string) => boolean) {
    act(() => {
      for (const observer of StubIntersectionObserver.instances) {
        const entries = [...observer.targets]
          .filter((target) => target instanceof HTMLElement && target.dataset.cardId)
          .map(
            (target) =>
              ({
                target,
                isIntersecting: isNear(target.getAttribute('aria-label') ?? ''),
              }) as unknown as IntersectionObserverEntry,
          );
        if (entries.length) observer.callback(entries, observer as unknown as IntersectionObserver);
      }
    });
  }
}

const rect = (left: number, top: number, width: number, height: number) =>
  ({ left, top, width, height, x: left, y: top, right: left + width, bottom: top + height }) as DOMRect;

// A layout for dnd-kit's keyboard moves, which jsdom does not have: columns 300px apart, cards
// 80px apart below a 100px header, the drag overlay (dnd-kit measures its only child) where
// its inline style puts it.
function fakeLayout(this: HTMLElement): DOMRect {
  const overlay = [this, this.parentElement].find((element) => element?.style.position === 'fixed');
  if (overlay) {
    const { left, top, width, height } = overlay.style;
    return rect(parseFloat(left), parseFloat(top), parseFloat(width), parseFloat(height));
  }
  const column = this.closest('section');
  if (!column) return rect(0, 0, 0, 0);
  const left = 300 * [...document.querySelectorAll('section')].indexOf(column);
  const cardsInColumn = [...column.querySelectorAll<HTMLElement>('article[data-card-id]')];
  if (this.dataset.cardId) return rect(left + 10, 100 + 80 * cardsInColumn.indexOf(this), 260, 70);
  if (this === column) return rect(left, 0, 280, 1000);
  return rect(left, 100, 280, Math.max(96, 80 * cardsInColumn.length));
}

describe('Board cards far from the visible part of a column', () => {
  const qualified = {
    ...lead,
    ID: '00000000-0000-4000-8000-00000000000c',
    Name: 'Qualified',
    Code: 'Q',
    SortIndex: 2,
  };
  const leadCards = [1, 2, 3, 4].map((n) => card(n, lead.ID));
  const instructions = /^To move this opportunity, press Space/;

  async function renderBoard(patch?: (request: RecordedRequest) => Promise<void>) {
    vi.stubGlobal('IntersectionObserver', StubIntersectionObserver);
    advertiseApply();
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(fakeLayout);
    // the service's rows, which a PATCH changes
    const opportunities = leadCards.map((c) => ({ ...c }));
    const service = serve(opportunities, [lead, qualified, won], {
      'PATCH /v1/odata/Activity_SalesOpportunity': async (request) => {
        await patch?.(request);
        const row = opportunities.find((o) => decodeURIComponent(request.url.pathname).includes(o.ID))!;
        const { SortIndex, Phase } = request.body as { SortIndex: number; Phase?: { ID: string } };
        Object.assign(row, { SortIndex, phase: Phase?.ID ?? row.phase });
        const { phase, ...saved } = row;
        return { body: { ...saved, Phase: { ID: phase }, '@odata.etag': 'W/"2"' } };
      },
    });
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />);
    const leadColumn = await screen.findByRole('region', { name: /^Lead/ });
    await within(leadColumn).findByRole('article', { name: 'Deal 4' });
    // Deal 3 and Deal 4 are far below the visible part of the column.
    StubIntersectionObserver.report((subject) => subject === 'Deal 1' || subject === 'Deal 2');
    return { ...service, leadColumn };
  }

  // dnd-kit's live region: "Picked up …", at once followed by "… is over …"
  const isDragging = (subject: string) =>
    screen
      .queryAllByRole('status')
      .some((region) =>
        new RegExp(`^(Picked up ${subject}\\.|${subject} is over)`).test(region.textContent ?? ''),
      );

  it('render as plain articles with the name, role, tab stop and instructions of a draggable card', async () => {
    const { leadColumn } = await renderBoard();
    const live = within(leadColumn).getByRole('article', { name: 'Deal 1' });
    const plain = within(leadColumn).getByRole('article', { name: 'Deal 4' });
    for (const article of [live, plain]) {
      expect(article.tabIndex).toBe(0);
      expect(article).toHaveAttribute('aria-roledescription', 'opportunity card');
      expect(article).toHaveAttribute('aria-describedby', dragInstructionsId);
      expect(article).toHaveAccessibleDescription(instructions);
    }
    // Not wired to dnd-kit: Space (without the focus that would wake it) starts no drag, while
    // it does on a live card.
    fireEvent.keyDown(plain, { key: ' ', code: 'Space' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(isDragging('Deal 4')).toBe(false);
    fireEvent.keyDown(live, { key: ' ', code: 'Space' });
    await waitFor(() => expect(isDragging('Deal 1')).toBe(true));
    fireEvent.keyDown(live, { key: 'Escape', code: 'Escape' });
  });

  it('turn draggable when focused, and keep the focus', async () => {
    const { leadColumn } = await renderBoard();
    const plain = within(leadColumn).getByRole('article', { name: 'Deal 4' });
    act(() => plain.focus());
    const woken = within(leadColumn).getByRole('article', { name: 'Deal 4' });
    // the plain article was swapped for the sortable one, which took the focus over
    expect(woken).not.toBe(plain);
    expect(document.activeElement).toBe(woken);
    expect(woken).toHaveAttribute('aria-roledescription', 'opportunity card');
    expect(woken).toHaveAttribute('aria-describedby', dragInstructionsId);
    expect(woken).toHaveAccessibleDescription(instructions);
    await userEvent.keyboard('[Space]');
    await waitFor(() => expect(isDragging('Deal 4')).toBe(true));
    await userEvent.keyboard('[Escape]');
    // still live when the column reports it far away again: it has the focus
    StubIntersectionObserver.report((subject) => subject === 'Deal 1');
    expect(within(leadColumn).getByRole('article', { name: 'Deal 4' })).toBe(woken);
  });

  it('move to the next column by keyboard once focused, and the move is saved', async () => {
    const { leadColumn, requests } = await renderBoard();
    act(() => within(leadColumn).getByRole('article', { name: 'Deal 4' }).focus());
    await userEvent.keyboard('[Space]');
    await waitFor(() => expect(isDragging('Deal 4')).toBe(true));
    // the keyboard sensor listens for the next key a task after the drag starts
    await new Promise((resolve) => setTimeout(resolve, 0));
    await userEvent.keyboard('[ArrowRight]');
    await waitFor(() => expect(screen.getByText('Deal 4 is over Qualified.')).toBeInTheDocument());
    await userEvent.keyboard('[Space]');
    await waitFor(() => expect(requests.some((r) => r.method === 'PATCH')).toBe(true));
    const patch = requests.find((r) => r.method === 'PATCH')!;
    expect(patch.url.pathname).toContain(leadCards[3].ID);
    expect(patch.body).toMatchObject({ Phase: { ID: qualified.ID } });
    const qualifiedColumn = screen.getByRole('region', { name: /^Qualified/ });
    expect(await within(qualifiedColumn).findByRole('article', { name: 'Deal 4' })).toBeInTheDocument();
    expect(within(leadColumn).queryByRole('article', { name: 'Deal 4' })).toBeNull();
  });

  /** A keyboard drag of a card to the next column to the right. */
  async function dropOnNextColumn(leadColumn: HTMLElement, subject: string) {
    act(() => within(leadColumn).getByRole('article', { name: subject }).focus());
    await userEvent.keyboard('[Space]');
    await waitFor(() => expect(isDragging(subject)).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await userEvent.keyboard('[ArrowRight]');
    await waitFor(() => expect(screen.getByText(`${subject} is over Qualified.`)).toBeInTheDocument());
    await userEvent.keyboard('[Space]');
  }

  const header = (column: HTMLElement) => within(column).getByRole('banner');

  it('keep their column totals right through a drop: at once, and back when the server refuses it', async () => {
    let refuse: () => void = () => {};
    const { leadColumn } = await renderBoard(
      () =>
        new Promise((_, reject) => {
          refuse = () => reject(new Error('refused'));
        }),
    );
    const qualifiedColumn = screen.getByRole('region', { name: /^Qualified/ });
    await waitFor(() =>
      expect(header(leadColumn)).toHaveTextContent('4 opportunities€10,000weighted €1,000'),
    );
    expect(header(qualifiedColumn)).toHaveTextContent('0 opportunities10% probability');

    await dropOnNextColumn(leadColumn, 'Deal 4');
    // while the PATCH is on its way
    await waitFor(() =>
      expect(header(qualifiedColumn)).toHaveTextContent('1 opportunities€4,000weighted €400'),
    );
    expect(header(leadColumn)).toHaveTextContent('3 opportunities€6,000weighted €600');

    // the refetch that follows is held back: what shows next is the rollback
    totalsGate = new Promise(() => {});
    refuse();
    await waitFor(() =>
      expect(header(leadColumn)).toHaveTextContent('4 opportunities€10,000weighted €1,000'),
    );
    expect(header(qualifiedColumn)).toHaveTextContent('0 opportunities10% probability');
  });
});

describe('Board for a signed-in tom', () => {
  function renderAs(person: Person) {
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(fakeLayout);
    const { requests } = serve([
      card(1, lead.ID), // Sanne de Vries's
      card(2, lead.ID, { SalesRepresentative: tomEmployee }),
      card(4, lead.ID, { SalesRepresentative: null }),
    ]);
    const client = createTestClient();
    client.setQueryData(authKeys.session(), { person, repSees: 'all' });
    renderWithClient(<Board pipelineId={pipelineId} filter={{}} staleDays={14} onOpen={() => {}} />, client);
    return requests;
  }
  // dnd-kit's live region: "Picked up …", at once followed by "… is over …"
  const pickedUp = () =>
    screen.queryAllByRole('status').some((r) => /^(Picked up |Deal \d is over )/.test(r.textContent ?? ''));

  it("locks another tom's card: it says whose it is and cannot be picked up", async () => {
    const requests = renderAs(tom);
    const locked = await screen.findByRole('article', { name: 'Deal 1' });
    expect(within(locked).getByText("Sanne de Vries's deal")).toBeInTheDocument();
    expect(locked).toHaveAccessibleDescription(
      "Sanne de Vries's deal (locked: only Sanne de Vries or a manager can move or change it). Press Enter to open it.",
    );
    act(() => locked.focus());
    fireEvent.keyDown(locked, { key: ' ', code: 'Space' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pickedUp()).toBe(false);
    expect(requests.some((r) => r.method === 'PATCH')).toBe(false);

    // their own card and an unassigned one move as before
    for (const subject of ['Deal 2', 'Deal 4']) {
      const free = screen.getByRole('article', { name: subject });
      expect(within(free).queryByText(/'s deal$/)).toBeNull();
      expect(free).toHaveAccessibleDescription(/^To move this opportunity, press Space/);
    }
    const mine = screen.getByRole('article', { name: 'Deal 2' });
    act(() => mine.focus());
    fireEvent.keyDown(mine, { key: ' ', code: 'Space' });
    await waitFor(() => expect(pickedUp()).toBe(true));
    fireEvent.keyDown(mine, { key: 'Escape', code: 'Escape' });
  });

  it('locks nothing for a manager', async () => {
    renderAs({ ...tom, role: 'manager' });
    const card1 = await screen.findByRole('article', { name: 'Deal 1' });
    expect(within(card1).queryByText("Sanne de Vries's deal")).toBeNull();
    expect(card1).toHaveAccessibleDescription(/^To move this opportunity, press Space/);
  });
});
