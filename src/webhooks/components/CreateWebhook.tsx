// Adding a webhook: the target URL, an optional description, which entity sets and kinds of
// change; the answer's signing secret is shown once, to copy.
import { type FormEvent, useState } from 'react';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { Button } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { Field, inputClass } from '../../ui/Field';
import { PlusIcon } from '../../ui/icons';
import { Panel } from '../../ui/Page';
import { type CreatedWebhook, useCreateWebhook } from '../api/use-create-webhook';
import { type ChangeKind, useWebhooks } from '../api/webhooks-query';

const kinds: { kind: ChangeKind; label: string }[] = [
  { kind: 'created', label: 'Created' },
  { kind: 'updated', label: 'Updated' },
  { kind: 'deleted', label: 'Deleted' },
];

type Errors = { url?: string; sets?: string; kinds?: string };

export function CreateWebhook() {
  const create = useCreateWebhook();
  const list = useWebhooks();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [everySet, setEverySet] = useState(true);
  const [sets, setSets] = useState<string[]>([]);
  const [chosenKinds, setChosenKinds] = useState<ChangeKind[]>(['created', 'updated', 'deleted']);
  const [errors, setErrors] = useState<Errors>({});
  const [created, setCreated] = useState<CreatedWebhook | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Errors = {
      url: /^https?:\/\/\S+$/i.test(url.trim())
        ? undefined
        : 'Enter the address to send changes to, e.g. https://example.com/hooks/dealdeck.',
      sets: everySet || sets.length > 0 ? undefined : 'Choose at least one entity set, or every set.',
      kinds: chosenKinds.length > 0 ? undefined : 'Choose at least one kind of change.',
    };
    setErrors(found);
    if (found.url || found.sets || found.kinds) return;
    create.mutate(
      { url: url.trim(), description: description.trim(), sets: everySet ? null : sets, kinds: chosenKinds },
      {
        onSuccess: (answer) => {
          setCreated(answer);
          setUrl('');
          setDescription('');
          setEverySet(true);
          setSets([]);
          setChosenKinds(['created', 'updated', 'deleted']);
        },
        onError: (error) => {
          // e.g. a private address, or one that does not resolve: said at the field
          const target = error instanceof ODataRequestError ? error.target : undefined;
          if (target === 'url' || target === 'sets' || target === 'kinds')
            setErrors({ [target]: error.message });
        },
      },
    );
  };

  const toggle = <T,>(values: T[], value: T) =>
    values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  const fieldError =
    create.error instanceof ODataRequestError && ['url', 'sets', 'kinds'].includes(create.error.target ?? '');

  return (
    <Panel title="Add a webhook">
      {created && (
        <div className="space-y-3 rounded-lg bg-emerald-50 p-3 ring-1 ring-emerald-200">
          <p role="status" className="text-sm text-emerald-900">
            The webhook to {created.url} is added. Copy its signing secret now and give it to the receiver: it
            is not shown again.
          </p>
          <CopyField label="Signing secret" value={created.secret} />
          <div className="flex justify-end">
            <Button onClick={() => setCreated(null)}>Done</Button>
          </div>
        </div>
      )}
      <form onSubmit={submit} noValidate className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Target URL" error={errors.url}>
            {(p) => (
              <input
                {...p}
                type="url"
                autoComplete="off"
                placeholder="https://example.com/hooks/dealdeck"
                className={`${inputClass} font-mono`}
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            )}
          </Field>
          <Field label="Description (optional)">
            {(p) => (
              <input
                {...p}
                autoComplete="off"
                placeholder="e.g. Invoicing sync"
                maxLength={200}
                className={inputClass}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            )}
          </Field>
        </div>
        <fieldset className="space-y-2" aria-describedby={errors.sets ? 'webhook-sets-error' : undefined}>
          <legend className="text-xs font-medium text-slate-600">Changes of</legend>
          <div className="flex flex-wrap gap-4 text-sm text-slate-800">
            <label className="flex items-center gap-2">
              <input type="radio" name="webhook-sets" checked={everySet} onChange={() => setEverySet(true)} />
              Every entity set
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="webhook-sets"
                checked={!everySet}
                onChange={() => setEverySet(false)}
              />
              Only the sets chosen
            </label>
          </div>
          {!everySet && (
            <div className="grid max-h-48 gap-x-4 gap-y-1 overflow-y-auto rounded-md p-3 ring-1 ring-slate-200 sm:grid-cols-2">
              {(list.data?.sets ?? []).map((set) => (
                <label key={set} className="flex min-w-0 items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    checked={sets.includes(set)}
                    onChange={() => setSets(toggle(sets, set))}
                  />
                  <span className="truncate font-mono text-xs">{set}</span>
                </label>
              ))}
            </div>
          )}
          {errors.sets && (
            <p id="webhook-sets-error" className="text-xs text-rose-600">
              {errors.sets}
            </p>
          )}
        </fieldset>
        <fieldset className="space-y-2" aria-describedby={errors.kinds ? 'webhook-kinds-error' : undefined}>
          <legend className="text-xs font-medium text-slate-600">Kinds of change</legend>
          <div className="flex flex-wrap gap-4 text-sm text-slate-800">
            {kinds.map(({ kind, label }) => (
              <label key={kind} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={chosenKinds.includes(kind)}
                  onChange={() => setChosenKinds(toggle(chosenKinds, kind))}
                />
                {label}
              </label>
            ))}
          </div>
          {errors.kinds && (
            <p id="webhook-kinds-error" className="text-xs text-rose-600">
              {errors.kinds}
            </p>
          )}
        </fieldset>
        <div className="flex justify-end">
          <Button variant="primary" type="submit" disabled={create.isPending}>
            <PlusIcon width={14} height={14} /> {create.isPending ? 'Adding…' : 'Add webhook'}
          </Button>
        </div>
      </form>
      {create.isError && !fieldError && (
        <p role="alert" className="text-sm text-rose-700">
          {describeError(create.error)}
        </p>
      )}
    </Panel>
  );
}
