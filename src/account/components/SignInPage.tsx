// The sign-in page, shown whenever nobody is signed in to Dealdeck's own service: email and
// password, single sign-on when the service has it, and plain words for what went wrong (a
// wrong password, too many attempts and when to try again, a failed sign-in link or SSO).
import { type FormEvent, useRef, useState } from 'react';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { navigate, updateSearch, useLocation } from '../../lib/url-state';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { AlertIcon, LogoIcon } from '../../ui/icons';
import { PasswordField } from '../../ui/PasswordField';
import { useAuthOptions } from '../api/auth-options-query';
import { useSignIn } from '../api/use-sign-in';

const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** What to tell the person about a failed sign-in. */
export function signInProblem(error: unknown, now = Date.now()): string {
  if (!(error instanceof ODataRequestError)) return describeError(error);
  if (error.status === 401) return sentence(error.message || 'The email or password is not right');
  if (error.status === 429) {
    const message = sentence(error.message || 'Too many failed sign-ins');
    const wait = error.retryAfterSeconds;
    // The service's message says how long; the clock time says until when.
    return wait === undefined
      ? message
      : `${message} You can try again at ${timeFormat.format(now + wait * 1000)}.`;
  }
  return sentence(error.message);
}

export function SignInPage() {
  const { search } = useLocation();
  const linkError = search.get('error');
  const options = useAuthOptions();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<string>();
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setMissing(!email.trim() ? 'Enter your email.' : 'Enter your password.');
      return;
    }
    setMissing(undefined);
    signIn.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          if (window.location.pathname === '/sign-in') navigate('/', { replace: true });
          else if (linkError) updateSearch({ error: undefined }, { replace: true });
        },
        onError: () => {
          setPassword('');
          passwordRef.current?.focus();
        },
      },
    );
  };

  const problem = missing ?? (signIn.isError ? signInProblem(signIn.error) : (linkError ?? undefined));
  const sso = options.data?.sso;

  return (
    <main className="flex min-h-dvh items-start justify-center bg-slate-50 px-4 py-12 text-slate-900 sm:items-center">
      <div className="w-full max-w-sm">
        <p className="mb-6 flex items-center justify-center gap-2 text-lg font-semibold tracking-tight">
          <LogoIcon width={24} height={24} className="text-indigo-600" />
          Dealdeck
        </p>
        <div className="space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <h1 className="text-lg font-semibold">Sign in</h1>
          {problem && (
            <div
              role="alert"
              className="flex gap-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200"
            >
              <AlertIcon className="mt-0.5 shrink-0 text-rose-600" />
              <p>{problem}</p>
            </div>
          )}
          <form onSubmit={submit} noValidate className="space-y-4">
            <Field label="Email">
              {(p) => (
                <input
                  {...p}
                  type="email"
                  name="email"
                  autoComplete="username"
                  // biome-ignore lint/a11y/noAutofocus: the page exists to fill this in
                  autoFocus
                  className={inputClass}
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <PasswordField
              label="Password"
              name="password"
              inputRef={passwordRef}
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
            />
            <Button variant="primary" type="submit" className="w-full py-2" disabled={signIn.isPending}>
              {signIn.isPending ? 'Signing in…' : 'Sign in'}
            </Button>
          </form>
          {sso && (
            <>
              <div className="flex items-center gap-3 text-xs text-slate-600" aria-hidden="true">
                <span className="h-px flex-1 bg-slate-200" />
                or
                <span className="h-px flex-1 bg-slate-200" />
              </div>
              {/* a plain link: the service sends the browser on to the identity provider */}
              <a
                href="/auth/sso"
                className="flex w-full items-center justify-center rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
              >
                {sso.label}
              </a>
            </>
          )}
        </div>
        <p className="mt-6 text-center text-xs text-slate-600">
          No account yet? Ask an admin for a sign-in link.{' '}
          <a
            href="/settings"
            onClick={(e) => {
              e.preventDefault();
              navigate('/settings');
            }}
            className="font-medium text-indigo-700 underline-offset-2 hover:underline"
          >
            Connect to another service
          </a>
        </p>
      </div>
    </main>
  );
}
