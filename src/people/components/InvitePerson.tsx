// Inviting someone: email, name and role; the answer is a sign-in link, valid for 7 days, to
// pass on by mail or chat (the service sends no mail itself).
import { type FormEvent, useState } from 'react';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { type Role, roleLabels, roles } from '../../api/person';
import { Button } from '../../ui/Button';
import { CopyField } from '../../ui/CopyField';
import { Field, inputClass } from '../../ui/Field';
import { PlusIcon } from '../../ui/icons';
import { Panel } from '../../ui/Page';
import { type Invited, useInvitePerson } from '../api/use-invite-person';

const emailPattern = /^[^\s@]+@[^\s@]+$/;

/** The form field a refusal names, if it is one shown here. */
const fieldOf = (error: ODataRequestError) =>
  error.target === 'email' || error.target === 'name' ? error.target : undefined;

export function InvitePerson() {
  const invite = useInvitePerson();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('rep');
  const [errors, setErrors] = useState<{ email?: string; name?: string }>({});
  const [invited, setInvited] = useState<Invited | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      email: emailPattern.test(email.trim()) ? undefined : 'Enter an email address, e.g. sanne@example.com.',
      name: name.trim() ? undefined : 'Enter the name colleagues know them by.',
    };
    setErrors(found);
    if (found.email || found.name) return;
    invite.mutate(
      { email: email.trim(), name: name.trim(), role },
      {
        onSuccess: (answer) => {
          setInvited(answer);
          setEmail('');
          setName('');
          setRole('rep');
        },
        onError: (error) => {
          // e.g. someone with this email exists already
          const field = error instanceof ODataRequestError ? fieldOf(error) : undefined;
          if (field) setErrors({ [field]: error.message });
        },
      },
    );
  };

  return (
    <Panel title="Invite someone">
      {invited && (
        <div className="space-y-3 rounded-lg bg-emerald-50 p-3 ring-1 ring-emerald-200">
          <p role="status" className="text-sm text-emerald-900">
            {invited.person.name} is invited as {roleLabels[invited.person.role].toLowerCase()}. Pass this
            link on to them: it signs them in once, within 7 days, to choose a password.
          </p>
          <CopyField label={`Sign-in link for ${invited.person.name}`} value={invited.signInLink} />
          <div className="flex justify-end">
            <Button onClick={() => setInvited(null)}>Done</Button>
          </div>
        </div>
      )}
      <form
        onSubmit={submit}
        noValidate
        className="grid gap-3 sm:grid-cols-[1fr_1fr_10rem_auto] sm:items-start"
      >
        <Field label="Email" error={errors.email}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="off"
              className={inputClass}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(p) => (
            <input
              {...p}
              autoComplete="off"
              className={inputClass}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Role">
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button variant="primary" type="submit" className="sm:mt-5" disabled={invite.isPending}>
          <PlusIcon width={14} height={14} /> {invite.isPending ? 'Inviting…' : 'Invite'}
        </Button>
      </form>
      {invite.isError && !(invite.error instanceof ODataRequestError && fieldOf(invite.error)) && (
        <p role="alert" className="text-sm text-rose-700">
          {describeError(invite.error)}
        </p>
      )}
    </Panel>
  );
}
