// In proxy mode with per-person sign-in: "Connect to <upstream>" (or, connected, since when and
// Disconnect). The outcome of a connection comes back as ?upstream=connected or
// ?upstream_error=<why> on the Settings page, and is said here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/odata-error';
import { Button } from '../../ui/Button';
import { connectUrl, disconnectUpstream, upstreamConnectionQuery } from '../upstream-connection';

export function UpstreamConnection() {
  const queryClient = useQueryClient();
  const connection = useQuery(upstreamConnectionQuery());
  const [outcome] = useState(() => {
    const search = new URLSearchParams(window.location.search);
    return { connected: search.has('upstream'), error: search.get('upstream_error') };
  });
  const disconnect = useMutation({
    mutationFn: disconnectUpstream,
    onSettled: () => queryClient.invalidateQueries({ queryKey: upstreamConnectionQuery().queryKey }),
  });

  const state = connection.data;
  if (!state) {
    return connection.isError ? (
      <p role="alert" className="text-sm text-rose-700">
        {describeError(connection.error)}
      </p>
    ) : null;
  }
  const host = state.upstream;
  return (
    <div className="space-y-2 rounded-md p-3 ring-1 ring-slate-200">
      {outcome.error && !state.connected && (
        <p role="alert" className="text-sm text-rose-700">
          {outcome.error}
        </p>
      )}
      {state.connected ? (
        <>
          <p className="text-sm text-slate-700">
            {outcome.connected ? 'Connected: ' : ''}Your requests reach <strong>{host}</strong> as you
            {state.connectedAt ? ` (connected ${new Date(state.connectedAt).toLocaleString()})` : ''}.
            Dealdeck's server keeps your {host} tokens; signing out of Dealdeck does not end this connection.
          </p>
          <Button variant="ghostDanger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
            {disconnect.isPending ? 'Disconnecting…' : `Disconnect from ${host}`}
          </Button>
          {disconnect.isError && (
            <p role="alert" className="text-sm text-rose-700">
              {describeError(disconnect.error)}
            </p>
          )}
        </>
      ) : (
        <>
          <p className="text-sm text-slate-700">
            The board shows what your own {host} account may see: connect it once (you sign in at {host}), and
            Dealdeck sends your requests there as you.
          </p>
          <a
            href={connectUrl}
            className="inline-flex items-center justify-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-700"
          >
            Connect to {host}
          </a>
        </>
      )}
    </div>
  );
}
