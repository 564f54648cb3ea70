// Keeps the board in step with everyone's changes: mounted once by the app, renders nothing.
// Dealdeck's own service, signed in: the change stream; another service: a refetch every 30 s.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useSession } from '../../api/session-query';
import { useSettings } from '../../lib/settings-store';
import { changesUrl, startLiveFeed, startPolling } from '../api/live-feed';

export function LiveUpdates() {
  const queryClient = useQueryClient();
  const { baseUrl } = useSettings();
  const { own, session } = useSession();
  const me = session?.person.id ?? null;
  const signedIn = !!session;
  useEffect(() => {
    if (!own) return startPolling(queryClient);
    if (!signedIn) return undefined;
    return startLiveFeed(queryClient, changesUrl(baseUrl), me);
  }, [queryClient, own, signedIn, me, baseUrl]);
  return null;
}
