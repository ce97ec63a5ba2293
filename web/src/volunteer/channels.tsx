import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort, request } from '../api';
import { ConfirmedAction } from '../sensors/confirmed-action';
import { t } from './strings';

interface Channel {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, string>;
  secrets: string[];
  enabled: boolean;
  refused_requests: number;
  inbound_path: string;
}

/** Switching a channel off or on again: one click, as it is undone by another. */
function SwitchChannel(props: {
  channel: Channel;
  onSwitched: (channel: Channel) => void;
  onError: (err: unknown) => void;
}) {
  const { channel } = props;
  const [busy, setBusy] = useState(false);
  const verb = channel.enabled ? t.channels.disable : t.channels.enable;
  const toggle = async () => {
    setBusy(true);
    try {
      props.onSwitched(
        await api.patch<Channel>(`/api/v1/channels/${encodeURIComponent(channel.id)}`, {
          enabled: !channel.enabled,
        }),
      );
    } catch (err) {
      props.onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="secondary"
      disabled={busy}
      aria-label={t.channels.switchChannel(verb, channel.name)}
      onClick={() => void toggle()}
    >
      {verb}
    </button>
  );
}

const KINDS = ['twilio', 'smssync', 'frontlinesms', 'africastalking', 'vonage', 'kannel', 'webhook', 'email'];

/** `name=value` lines as an object; blank lines are skipped. */
function pairs(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) result[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return result;
}

function AddChannel(props: { onAdded: (channel: Channel) => void; onAuthLost: () => void }) {
  const [id, setId] = useState('');
  const [kind, setKind] = useState('twilio');
  const [name, setName] = useState('');
  const [settings, setSettings] = useState('');
  const [secrets, setSecrets] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const added = await api.post<Channel>('/api/v1/channels', {
        id,
        kind,
        ...(name ? { name } : {}),
        settings: pairs(settings),
        secrets: pairs(secrets),
      });
      // Secrets are never shown again: the form forgets them too.
      setSecrets('');
      setId('');
      setName('');
      setSettings('');
      props.onAdded(added);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) props.onAuthLost();
      else setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card channel-form" onSubmit={(event) => void submit(event)}>
      <h2>{t.channels.add}</h2>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <label>
        {t.channels.id}
        <input
          value={id}
          required
          pattern="[a-z0-9][a-z0-9-]*"
          onInput={(e) => setId(e.currentTarget.value)}
        />
      </label>
      <label>
        {t.channels.kind}
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.channels.name}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t.channels.settings}
        <textarea
          rows={3}
          value={settings}
          placeholder="language=sw"
          onInput={(e) => setSettings(e.currentTarget.value)}
        />
      </label>
      <label>
        {t.channels.secrets}
        <textarea
          rows={2}
          value={secrets}
          autocomplete="off"
          placeholder="authToken=…"
          onInput={(e) => setSecrets(e.currentTarget.value)}
        />
      </label>
      <p class="muted">{t.channels.secretsNote}</p>
      <button type="submit" class="primary" disabled={busy}>
        {t.channels.addButton}
      </button>
    </form>
  );
}

/** The SMS, chat and e-mail channels, for coordinators: what each is, where its gateway delivers, and adding one. */
export function Channels(props: { onAuthLost: () => void }) {
  const [channels, setChannels] = useState<Channel[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const { onAuthLost } = props;

  const handle = useCallback(
    (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else
        setError(
          err instanceof ApiError && err.status === 403 ? t.channels.coordinatorsOnly : errorMessage(err, t),
        );
    },
    [onAuthLost],
  );

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<{ data: Channel[] }>('/api/v1/channels', undefined, controller.signal)
      .then((answer) => setChannels(answer.data))
      .catch(handle);
    return () => controller.abort();
  }, [handle]);

  return (
    <section class="queue">
      <div aria-live="polite">{notice && <p class="notice notice-success">{notice}</p>}</div>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {channels.map((channel) => (
        <article class="card" key={channel.id} aria-labelledby={`channel-${channel.id}`}>
          <header class="card-head">
            <h2 id={`channel-${channel.id}`}>{channel.name}</h2>
            <span class="chip">{channel.kind}</span>
          </header>
          <dl class="facts">
            <dt>{t.channels.id}</dt>
            <dd>
              <code>{channel.id}</code>
            </dd>
            <dt>{t.channels.delivers}</dt>
            <dd>
              <code>{`${location.origin}${channel.inbound_path}`}</code>
            </dd>
            <dt>{t.channels.secretsSet}</dt>
            <dd>{channel.secrets.join(', ') || t.none}</dd>
            <dt>{t.channels.refused}</dt>
            <dd>{channel.refused_requests}</dd>
            <dt>{t.channels.state}</dt>
            <dd>{channel.enabled ? t.channels.on : t.channels.off}</dd>
          </dl>
          <div class="actions">
            <SwitchChannel
              channel={channel}
              onError={handle}
              onSwitched={(switched) => {
                setChannels((previous) => previous.map((c) => (c.id === switched.id ? switched : c)));
                setNotice(
                  switched.enabled ? t.channels.enabled(switched.id) : t.channels.disabled(switched.id),
                );
              }}
            />
          </div>
          <ConfirmedAction
            texts={{
              label: t.channels.remove,
              accessibleLabel: t.channels.removeChannel(channel.name),
              warning: t.channels.removeWarning,
              confirm: t.channels.confirmRemove,
              cancel: t.channels.cancel,
            }}
            act={async () => {
              await request(`/api/v1/channels/${encodeURIComponent(channel.id)}`, { method: 'DELETE' });
              setChannels((previous) => previous.filter((c) => c.id !== channel.id));
              setNotice(t.channels.removed(channel.id));
            }}
            onAuthLost={onAuthLost}
          />
        </article>
      ))}
      {!error && (
        <AddChannel
          onAuthLost={onAuthLost}
          onAdded={(added) => {
            setChannels((previous) => [...previous, added].sort((a, b) => a.id.localeCompare(b.id)));
            setNotice(t.channels.added(added.id));
          }}
        />
      )}
    </section>
  );
}
