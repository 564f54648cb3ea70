// Everyone who may sign in: role (changed in place), whether active, last sign-in, and the
// actions an admin takes (a new sign-in link, deactivate or reactivate).
import { type ReactNode, useState } from 'react';
import { describeError } from '../../api/odata-error';
import { type Person, type Role, roleLabels, roles } from '../../api/person';
import { formatDate } from '../../lib/format';
import { Button } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { inputClass } from '../../ui/Field';
import { Panel } from '../../ui/Page';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { showToast } from '../../ui/toast-store';
import { type PersonAdmin, usePeople } from '../api/people-query';
import { useNewSignInLink } from '../api/use-new-sign-in-link';
import { useUpdatePerson } from '../api/use-update-person';

export function PeopleList({ me }: { me: Person }) {
  const people = usePeople();
  const update = useUpdatePerson();
  const link = useNewSignInLink();
  const [deactivating, setDeactivating] = useState<PersonAdmin | null>(null);
  const [linkFor, setLinkFor] = useState<{ person: PersonAdmin; link: string } | null>(null);

  const change = (person: PersonAdmin, changes: { role?: Role; active?: boolean }, done: string) =>
    update.mutate(
      { id: person.id, change: changes },
      {
        onSuccess: () => showToast(done, 'success'),
        // e.g. 409 LastAdmin: the service says why
        onError: (error) => showToast(describeError(error), 'error'),
      },
    );

  let content: ReactNode;
  if (people.isPending) {
    content = (
      <div aria-busy="true" className="space-y-2">
        <span className="sr-only">Loading people…</span>
        <Skeleton className="h-14" />
        <Skeleton className="h-14" />
        <Skeleton className="h-14" />
      </div>
    );
  } else if (people.isError) {
    content = <ErrorState compact message={describeError(people.error)} onRetry={() => people.refetch()} />;
  } else {
    content = (
      <ul className="divide-y divide-slate-100" aria-label="People">
        {people.data.map((person) => (
          <li
            key={person.id}
            aria-label={person.name}
            className="grid gap-x-4 gap-y-2 py-3 sm:grid-cols-[minmax(0,1fr)_9rem_auto] sm:items-center"
          >
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                <span className="truncate">{person.name}</span>
                {person.id === me.id && <span className="text-xs font-normal text-slate-600">(you)</span>}
                {!person.active && (
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">
                    Deactivated
                  </span>
                )}
              </p>
              <p className="truncate text-xs text-slate-600">
                {person.email}
                {' · '}
                {person.lastSignInAt
                  ? `last signed in ${formatDate(person.lastSignInAt)}`
                  : 'never signed in'}
              </p>
            </div>
            <select
              aria-label={`Role of ${person.name}`}
              className={inputClass}
              value={person.role}
              disabled={update.isPending}
              onChange={(e) => {
                const role = e.target.value as Role;
                change(person, { role }, `${person.name} is now ${roleLabels[role].toLowerCase()}.`);
              }}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </select>
            <div className="flex flex-wrap gap-1 sm:justify-end">
              <Button
                variant="ghost"
                aria-label={`New sign-in link for ${person.name}`}
                disabled={!person.active || link.isPending}
                onClick={() =>
                  link.mutate(person.id, {
                    onSuccess: ({ signInLink }) => setLinkFor({ person, link: signInLink }),
                    onError: (error) => showToast(describeError(error), 'error'),
                  })
                }
              >
                New sign-in link
              </Button>
              {person.active ? (
                <Button
                  variant="ghostDanger"
                  aria-label={`Deactivate ${person.name}`}
                  onClick={() => setDeactivating(person)}
                >
                  Deactivate
                </Button>
              ) : (
                <Button
                  variant="ghost"
                  aria-label={`Reactivate ${person.name}`}
                  onClick={() => change(person, { active: true }, `${person.name} can sign in again.`)}
                >
                  Reactivate
                </Button>
              )}
            </div>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <Panel title="Everyone who can sign in">
      {content}
      {deactivating && (
        <Dialog
          title={`Deactivate ${deactivating.name}?`}
          description={`${deactivating.name} is signed out and can no longer sign in. Their deals stay theirs. You can reactivate them later.`}
          onClose={() => setDeactivating(null)}
          footer={
            <>
              <Button onClick={() => setDeactivating(null)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={() => {
                  change(deactivating, { active: false }, `${deactivating.name} is deactivated.`);
                  setDeactivating(null);
                }}
              >
                Deactivate
              </Button>
            </>
          }
        />
      )}
      {linkFor && (
        <Dialog
          title={`Sign-in link for ${linkFor.person.name}`}
          description="Pass it on to them: it signs them in once, within 7 days."
          onClose={() => setLinkFor(null)}
          footer={<Button onClick={() => setLinkFor(null)}>Done</Button>}
        >
          <CopyField label="Sign-in link" value={linkFor.link} />
        </Dialog>
      )}
    </Panel>
  );
}
