// Personal access tokens: for scripts and OData clients, acting as the person who made them.
// A new token is shown once, to copy; the list shows names and prefixes; revoking asks first.
import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/odata-error';
import { type Person, roleLabels } from '../../api/person';
import { formatDate } from '../../lib/format';
import { navigate } from '../../lib/url-state';
import { Button } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { AlertIcon, KeyIcon } from '../../ui/icons';
import { Page, Panel } from '../../ui/Page';
import { ErrorState, Skeleton } from '../../ui/StateViews';
import { showToast } from '../../ui/toast-store';
import { type PersonalToken, useTokens } from '../api/tokens-query';
import { type CreatedToken, useCreateToken } from '../api/use-create-token';
import { useRevokeToken } from '../api/use-revoke-token';

export function TokensPage({ person }: { person: Person }) {
  const [created, setCreated] = useState<CreatedToken | null>(null);
  return (
    <Page
      title="Personal access tokens"
      description={
        <>
          For scripts and OData clients: send a token as{' '}
          <code className="rounded bg-slate-100 px-1 font-mono text-xs">
            Authorization: Bearer &lt;token&gt;
          </code>{' '}
          to <code className="rounded bg-slate-100 px-1 font-mono text-xs">/v1/odata</code>. It acts as you,
          with your role ({roleLabels[person.role]}), until you revoke it.
        </>
      }
    >
      <Panel title="New token">
        {created ? (
          <NewToken token={created} onDone={() => setCreated(null)} />
        ) : (
          <CreateTokenForm onCreated={setCreated} />
        )}
      </Panel>
      <Panel title="Your tokens">
        <TokenList />
      </Panel>
      <Panel title="Password">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-sm text-slate-600">
            {person.hasPassword
              ? `You sign in as ${person.email} with a password.`
              : 'You have no password yet: you signed in with a link or single sign-on.'}
          </p>
          <Button onClick={() => navigate('/welcome')}>
            {person.hasPassword ? 'Change password' : 'Choose a password'}
          </Button>
        </div>
      </Panel>
    </Page>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedToken) => void }) {
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError('Name the token after what will use it, e.g. "Monthly export".');
      return;
    }
    setError(undefined);
    create.mutate(name.trim(), {
      onSuccess: (token) => {
        setName('');
        onCreated(token);
      },
    });
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex-1">
          <Field
            label="Token name"
            error={error}
            hint="What will use it, so you know which one to revoke later."
          >
            {(p) => (
              <input
                {...p}
                className={inputClass}
                maxLength={100}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
        </div>
        <Button variant="primary" type="submit" className="sm:mt-5" disabled={create.isPending}>
          <KeyIcon width={14} height={14} /> {create.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </div>
      {create.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {describeError(create.error)}
        </p>
      )}
    </form>
  );
}

function NewToken({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <div className="space-y-3">
      <div
        role="alert"
        className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200"
      >
        <AlertIcon className="mt-0.5 shrink-0 text-amber-700" />
        <p>
          Copy the token “{token.name}” now and keep it somewhere safe: it is shown only this once. Anyone who
          has it can act as you.
        </p>
      </div>
      <CopyField label={`Token “${token.name}”`} value={token.token} />
      <div className="flex justify-end">
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

function TokenList() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [revoking, setRevoking] = useState<PersonalToken | null>(null);
  if (tokens.isPending) {
    return (
      <div aria-busy="true" className="space-y-2">
        <span className="sr-only">Loading your tokens…</span>
        <Skeleton className="h-12" />
        <Skeleton className="h-12" />
      </div>
    );
  }
  if (tokens.isError) {
    return <ErrorState compact message={describeError(tokens.error)} onRetry={() => tokens.refetch()} />;
  }
  if (tokens.data.length === 0) {
    return <p className="text-sm text-slate-600">No tokens yet.</p>;
  }
  return (
    <>
      <ul className="divide-y divide-slate-100" aria-label="Your tokens">
        {tokens.data.map((token) => (
          <li key={token.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-3">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-slate-900">{token.name}</p>
              <p className="text-xs text-slate-600">
                <span className="font-mono">{token.prefix}…</span>
                {' · '}created {formatDate(token.createdAt)}
                {' · '}
                {token.lastUsedAt ? `last used ${formatDate(token.lastUsedAt)}` : 'never used'}
              </p>
            </div>
            <Button
              variant="ghost"
              className="text-rose-700 hover:bg-rose-50 hover:text-rose-800"
              aria-label={`Revoke ${token.name}`}
              onClick={() => setRevoking(token)}
            >
              Revoke
            </Button>
          </li>
        ))}
      </ul>
      {revoking && (
        <Dialog
          title={`Revoke “${revoking.name}”?`}
          description="Whatever uses this token is refused from now on. This cannot be undone."
          onClose={() => setRevoking(null)}
          footer={
            <>
              <Button onClick={() => setRevoking(null)}>Cancel</Button>
              <Button
                variant="danger"
                disabled={revoke.isPending}
                onClick={() =>
                  revoke.mutate(revoking.id, {
                    onSuccess: () => {
                      showToast(`Revoked “${revoking.name}”.`, 'success');
                      setRevoking(null);
                    },
                    onError: (error) => {
                      showToast(describeError(error), 'error');
                      setRevoking(null);
                    },
                  })
                }
              >
                {revoke.isPending ? 'Revoking…' : 'Revoke token'}
              </Button>
            </>
          }
        />
      )}
    </>
  );
}
