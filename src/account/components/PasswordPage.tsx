// /welcome: after an invitation's sign-in link, the person chooses a password for next time.
// The same form changes a password later (the current one is then asked for).
import { type FormEvent, useState } from 'react';
import { describeError, ODataRequestError } from '../../api/odata-error';
import type { Person } from '../../api/person';
import { navigate } from '../../lib/url-state';
import { Button } from '../../ui/Button';
import { Page } from '../../ui/Page';
import { PasswordField } from '../../ui/PasswordField';
import { showToast } from '../../ui/toast-store';
import { minPasswordLength, useSetPassword } from '../api/use-set-password';

export function PasswordPage({ person }: { person: Person }) {
  const change = person.hasPassword;
  const setPassword = useSetPassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      current: change && !current ? 'Enter your current password.' : undefined,
      next:
        next.length < minPasswordLength
          ? `Use at least ${minPasswordLength} characters (a few words make a good one).`
          : undefined,
      repeat: next !== repeat ? 'The two passwords are not the same.' : undefined,
    };
    setErrors(found);
    if (found.current || found.next || found.repeat) return;
    setPassword.mutate(
      { newPassword: next, ...(change ? { currentPassword: current } : {}) },
      {
        onSuccess: () => {
          showToast(change ? 'Your password is changed.' : 'Your password is saved.', 'success');
          navigate('/');
        },
        onError: (error) => {
          if (error instanceof ODataRequestError && error.code === 'WrongPassword')
            setErrors({ current: error.message });
          else if (error instanceof ODataRequestError && error.code === 'WeakPassword')
            setErrors({ next: error.message });
        },
      },
    );
  };

  const formError =
    setPassword.isError &&
    !(
      setPassword.error instanceof ODataRequestError &&
      ['WrongPassword', 'WeakPassword'].includes(setPassword.error.code)
    )
      ? describeError(setPassword.error)
      : undefined;

  return (
    <Page
      title={change ? 'Change your password' : `Welcome, ${person.name}`}
      description={
        change
          ? `You sign in as ${person.email}.`
          : `Choose a password, so that next time you can sign in with ${person.email} and this password. A sign-in link works only once.`
      }
    >
      <form
        onSubmit={submit}
        noValidate
        className="space-y-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6"
      >
        {/* lets password managers store the password with the right account */}
        <input type="email" name="email" autoComplete="username" value={person.email} readOnly hidden />
        {change && (
          <PasswordField
            label="Current password"
            error={errors.current}
            autoComplete="current-password"
            value={current}
            onChange={setCurrent}
          />
        )}
        <PasswordField
          label="New password"
          error={errors.next}
          hint={`At least ${minPasswordLength} characters.`}
          autoComplete="new-password"
          value={next}
          onChange={setNext}
        />
        <PasswordField
          label="New password again"
          error={errors.repeat}
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
        />
        {formError && (
          <p role="alert" className="text-sm text-rose-700">
            {formError}
          </p>
        )}
        <div className="flex flex-wrap items-center justify-end gap-2 border-t border-slate-100 pt-4">
          <Button variant="ghost" onClick={() => navigate('/')}>
            {change ? 'Cancel' : 'Not now'}
          </Button>
          <Button variant="primary" type="submit" disabled={setPassword.isPending}>
            {setPassword.isPending ? 'Saving…' : change ? 'Change password' : 'Save password'}
          </Button>
        </div>
      </form>
    </Page>
  );
}
