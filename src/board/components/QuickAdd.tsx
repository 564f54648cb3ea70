// Quick-add: subject, customer and amount, straight into this column. A signed-in rep's deal is
// theirs unless they choose "Unassigned"; a manager picks any rep or none.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useDeferredValue, useId, useState } from 'react';
import { organizationsQuery, repName, salesRepsQuery } from '../../api/lookup-queries';
import { describeError } from '../../api/odata-error';
import { changesEveryDeal, type Person } from '../../api/person';
import { useCurrentPerson } from '../../api/session-query';
import { Button } from '../../ui/Button';
import { inputClass } from '../../ui/Field';
import { showToast } from '../../ui/toast-store';
import { useCreateOpportunity } from '../api/use-create-opportunity';

const currencies = ['EUR', 'USD', 'GBP'];

export function QuickAdd({
  pipelineId,
  phaseId,
  phaseName,
  topSortIndex,
  onDone,
}: {
  pipelineId: string;
  phaseId: string;
  phaseName: string;
  topSortIndex: number | undefined;
  onDone: () => void;
}) {
  const [subject, setSubject] = useState('');
  const [customer, setCustomer] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const search = useDeferredValue(customer.trim());
  const customers = useQuery({ ...organizationsQuery(search), enabled: search.length > 0 });
  const create = useCreateOpportunity();
  const listId = useId();
  const person = useCurrentPerson();
  const [owner, setOwner] = useState(() => defaultOwner(person));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = customer.trim();
    const match = customers.data?.find((c) => c.Name.toLowerCase() === name.toLowerCase());
    create.mutate(
      {
        pipelineId,
        phaseId,
        subject: subject.trim(),
        customer: name ? { id: match?.ID, name } : null,
        amount: amount === '' ? null : Number(amount),
        currency,
        // Said outright either way: a rep's deal is theirs, or unassigned because they chose so.
        salesRepId: person ? owner || null : undefined,
        // On top of the column, where the rep is looking.
        sortIndex: topSortIndex === undefined ? 1 : topSortIndex - 1,
      },
      {
        onSuccess: () => {
          showToast(`Added “${subject.trim()}” to ${phaseName}.`, 'success');
          onDone();
        },
      },
    );
  };

  return (
    <form
      onSubmit={submit}
      aria-label={`Add an opportunity to ${phaseName}`}
      className="mx-2 mb-2 space-y-2 rounded-lg bg-white p-2.5 shadow-sm ring-1 ring-indigo-200"
    >
      <input
        className={inputClass}
        placeholder="Subject"
        aria-label="Subject"
        required
        maxLength={255}
        // biome-ignore lint/a11y/noAutofocus: the rep just asked for this form
        autoFocus
        value={subject}
        onChange={(e) => setSubject(e.target.value)}
      />
      <input
        className={inputClass}
        placeholder="Customer"
        aria-label="Customer"
        list={listId}
        value={customer}
        onChange={(e) => setCustomer(e.target.value)}
      />
      <datalist id={listId}>
        {customers.data?.map((c) => (
          <option key={c.ID} value={c.Name} />
        ))}
      </datalist>
      <div className="flex gap-2">
        <input
          className={inputClass}
          placeholder="Amount"
          aria-label="Amount"
          type="number"
          min={0}
          step="any"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <select
          className={`${inputClass} w-20`}
          aria-label="Currency"
          value={currency}
          onChange={(e) => setCurrency(e.target.value)}
        >
          {currencies.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </div>
      {person && <OwnerSelect person={person} value={owner} onChange={setOwner} />}
      {create.isError && (
        <p role="alert" className="text-xs text-rose-600">
          {describeError(create.error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        <Button variant="primary" type="submit" disabled={create.isPending || !subject.trim()}>
          {create.isPending ? 'Adding…' : 'Add'}
        </Button>
      </div>
    </form>
  );
}

/** A rep's own employee; unassigned for managers and for people who are no employee. */
const defaultOwner = (person: Person | null) =>
  person && !changesEveryDeal(person) ? (person.employeeId ?? '') : '';

function OwnerSelect({
  person,
  value,
  onChange,
}: {
  person: Person;
  value: string;
  onChange: (employeeId: string) => void;
}) {
  const everyone = changesEveryDeal(person);
  const reps = useQuery({ ...salesRepsQuery(), enabled: everyone });
  const me = person.employeeId;
  if (!everyone && !me) return null;
  return (
    <select
      className={inputClass}
      aria-label="Sales rep"
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      {me && <option value={me}>Me ({person.employeeName ?? person.name})</option>}
      <option value="">Unassigned</option>
      {everyone &&
        reps.data
          ?.filter((rep) => rep.ID !== me)
          .map((rep) => (
            <option key={rep.ID} value={rep.ID}>
              {repName(rep)}
            </option>
          ))}
    </select>
  );
}
