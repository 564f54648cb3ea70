// The signed-in person in the header: name and role, and signing out.
import { describeError } from '../../api/odata-error';
import { type Person, roleLabels } from '../../api/person';
import { navigate } from '../../lib/url-state';
import { SignOutIcon, UserIcon } from '../../ui/icons';
import { showToast } from '../../ui/toast-store';
import { useSignOut } from '../api/use-sign-out';

export function SignedInPerson({ person }: { person: Person }) {
  const signOut = useSignOut();
  return (
    <div className="flex min-w-0 items-center gap-2">
      <p className="flex min-w-0 items-center gap-2 text-sm" title={person.email}>
        <UserIcon className="shrink-0 text-slate-400" />
        <span className="truncate font-medium text-white">{person.name}</span>
        <span className="shrink-0 rounded bg-slate-700 px-1.5 py-0.5 text-xs text-slate-200">
          {roleLabels[person.role]}
        </span>
      </p>
      <button
        type="button"
        disabled={signOut.isPending}
        onClick={() =>
          signOut.mutate(undefined, {
            onSuccess: () => navigate('/sign-in'),
            onError: (error) => showToast(describeError(error), 'error'),
          })
        }
        className="ml-auto flex shrink-0 items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm text-slate-300 hover:bg-slate-800 hover:text-white focus-visible:outline-2 focus-visible:outline-indigo-400"
      >
        <SignOutIcon /> {signOut.isPending ? 'Signing out…' : 'Sign out'}
      </button>
    </div>
  );
}
