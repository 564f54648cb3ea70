// People, for admins: who may sign in and with which role. Inviting someone gives a sign-in
// link to pass on (the invitee then chooses a password); a person can be deactivated (signed
// out, refused from then on) and reactivated, and given a new link.
import type { Person } from '../../api/person';
import { Page } from '../../ui/Page';
import { InvitePerson } from './InvitePerson';
import { PeopleList } from './PeopleList';

export function PeoplePage({ me }: { me: Person }) {
  if (me.role !== 'admin') {
    return (
      <Page title="People">
        <p className="rounded-xl bg-white p-6 text-sm text-slate-600 shadow-sm ring-1 ring-slate-200">
          Only admins manage people. Ask an admin to invite someone or change a role.
        </p>
      </Page>
    );
  }
  return (
    <Page
      wide
      title="People"
      description="Sales reps change their own and unassigned deals; managers change every deal; admins also manage people."
    >
      <InvitePerson />
      <PeopleList me={me} />
    </Page>
  );
}
