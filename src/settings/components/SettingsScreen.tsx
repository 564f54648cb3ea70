// Where the service lives, so the same build serves our embedded service or the hosted CRM;
// plus the board's stale threshold. Our own service knows the person from the sign-in's
// session cookie: a bearer token is asked for only for another service address (direct mode).
// When Dealdeck's server forwards its API to the hosted CRM (proxy mode), this says so.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeError, ODataRequestError } from '../../api/odata-error';
import { pingService } from '../../api/ping-service';
import { serviceModeQuery } from '../../api/service-capabilities';
import { isOwnService } from '../../lib/own-service';
import { defaultSettings, type Settings, saveSettings, useSettings } from '../../lib/settings-store';
import { navigate } from '../../lib/url-state';
import { Button } from '../../ui/Button';
import { Field, inputClass } from '../../ui/Field';
import { showToast } from '../../ui/toast-store';
import { UpstreamConnection } from './UpstreamConnection';

export function SettingsScreen() {
  const current = useSettings();
  const queryClient = useQueryClient();
  const serverMode = useQuery(serviceModeQuery()).data;
  const [draft, setDraft] = useState({ ...current, staleDays: String(current.staleDays) });
  const [test, setTest] = useState<{ state: 'idle' | 'testing' | 'ok' | 'failed'; message?: string }>({
    state: 'idle',
  });
  const staleDays = Number(draft.staleDays);
  const staleError =
    Number.isInteger(staleDays) && staleDays > 0 ? undefined : 'Enter a whole number of days, 1 or more.';
  const baseUrlError = draft.baseUrl.trim() ? undefined : 'Enter the service address, e.g. /v1/odata.';

  const own = isOwnService(draft.baseUrl.trim() || defaultSettings.baseUrl);
  const settings = (): Settings => ({
    baseUrl: draft.baseUrl.trim(),
    token: own ? '' : draft.token.trim(),
    staleDays,
  });

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (staleError || baseUrlError) return;
    const next = settings();
    const serviceChanged = next.baseUrl !== current.baseUrl || next.token !== current.token;
    saveSettings(next);
    // Data from the old service must not show up as the new one's.
    if (serviceChanged) queryClient.clear();
    showToast('Settings saved.', 'success');
    navigate('/');
  };

  const testConnection = async () => {
    setTest({ state: 'testing' });
    try {
      const pipelines = await pingService(settings());
      setTest({
        state: 'ok',
        message: `Connected: ${pipelines} pipeline${pipelines === 1 ? '' : 's'} found.`,
      });
    } catch (error) {
      setTest({
        state: 'failed',
        message:
          own && error instanceof ODataRequestError && error.status === 401
            ? 'The service answers, and wants you to sign in first.'
            : describeError(error),
      });
    }
  };

  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-xl px-4 py-8">
        <h1 className="text-xl font-semibold text-slate-900">Settings</h1>
        <p className="mt-1 text-sm text-slate-600">Settings are kept in this browser only.</p>
        <form
          onSubmit={save}
          noValidate
          className="mt-6 space-y-6 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200"
        >
          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-800">Service</legend>
            <Field
              label="Service address (OData root)"
              error={baseUrlError}
              hint="/v1/odata for the service Dealdeck runs with (you sign in to it), or e.g. https://api.tribecrm.nl/v1/odata for the hosted CRM, reached directly with a token."
            >
              {(p) => (
                <input
                  {...p}
                  className={inputClass}
                  value={draft.baseUrl}
                  onChange={(e) => setDraft({ ...draft, baseUrl: e.target.value })}
                />
              )}
            </Field>
            {own && serverMode?.mode === 'proxy' && (
              <p className="rounded-md bg-sky-50 p-3 text-sm text-sky-900 ring-1 ring-sky-200">
                Dealdeck's server forwards <code>/v1/odata</code> to{' '}
                <strong className="break-all">{serverMode.upstream}</strong> (proxy mode): the board shows
                that service's records. The server holds its credentials; no token of that service reaches
                this browser. Changes made there show on the board within 30 seconds.
              </p>
            )}
            {own && serverMode?.mode === 'proxy' && <UpstreamConnection />}
            {own ? (
              <p className="text-xs text-slate-600">
                Dealdeck's own service knows you from your sign-in: no token is needed or kept here. For
                scripts and OData clients, create a personal token under Tokens.
              </p>
            ) : (
              <Field
                label="Bearer token"
                hint="Only for another service address (direct mode, for a service that allows requests from this page's origin, CORS): sent as Authorization: Bearer <token> and kept in this browser. Leave empty if the service needs none."
              >
                {(p) => (
                  <input
                    {...p}
                    type="password"
                    autoComplete="off"
                    className={inputClass}
                    value={draft.token}
                    onChange={(e) => setDraft({ ...draft, token: e.target.value })}
                  />
                )}
              </Field>
            )}
            <div className="flex items-center gap-3">
              <Button onClick={testConnection} disabled={test.state === 'testing' || !!baseUrlError}>
                {test.state === 'testing' ? 'Testing…' : 'Test connection'}
              </Button>
              {test.message && (
                <p
                  role="status"
                  className={`text-sm ${test.state === 'ok' ? 'text-emerald-700' : 'text-rose-700'}`}
                >
                  {test.message}
                </p>
              )}
            </div>
          </fieldset>
          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-800">Board</legend>
            <Field label="Mark cards as stale after (days without a change)" error={staleError}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  className={`${inputClass} w-28`}
                  value={draft.staleDays}
                  onChange={(e) => setDraft({ ...draft, staleDays: e.target.value })}
                />
              )}
            </Field>
          </fieldset>
          <div className="flex items-center gap-2 border-t border-slate-100 pt-4">
            <Button
              variant="ghost"
              onClick={() => setDraft({ ...defaultSettings, staleDays: String(defaultSettings.staleDays) })}
            >
              Reset to defaults
            </Button>
            <div className="flex-1" />
            <Button onClick={() => navigate('/')}>Cancel</Button>
            <Button variant="primary" type="submit">
              Save
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
