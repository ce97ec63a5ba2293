import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { FeedKind, FeedView } from './feeds';
import { TextField } from './form-fields';
import { t } from './strings';
import { type FieldErrors, fieldErrorsOf, useCheckedForm } from './use-checked-form';

const texts = t.feedForm;

const feedKinds: readonly FeedKind[] = ['ttn-v3', 'ttn-v2', 'safecast'];
const ttnV3Broker = 'mqtts://eu1.cloud.thethings.network:8883';

interface FeedDraft {
  kind: FeedKind;
  url: string;
  username: string;
  password: string;
  topic: string;
}

type DraftField = 'kind' | 'url' | 'topic' | 'username' | 'password';
type DraftErrors = FieldErrors<DraftField>;

const fieldOfPointer: Record<string, DraftField> = {
  '/kind': 'kind',
  '/url': 'url',
  '/topic': 'topic',
  '/username': 'username',
  '/password': 'password',
};

function emptyDraft(kind: FeedKind = 'ttn-v3'): FeedDraft {
  return { kind, url: kind === 'ttn-v3' ? ttnV3Broker : '', username: '', password: '', topic: '' };
}

/**
 * The Things Stack's MQTT user for an application is `app@tenant`, and its uplinks come on
 * `v3/app@tenant/devices/+/up`.
 */
function suggestedTopic(kind: FeedKind, username: string): string {
  return kind === 'ttn-v3' && /^[a-z0-9][a-z0-9-]*@[a-z0-9-]+$/i.test(username.trim())
    ? `v3/${username.trim()}/devices/+/up`
    : '';
}

/** A topic still empty, or still the one suggested, follows the username; one the owner wrote stays. */
function withChange(draft: FeedDraft, change: Partial<FeedDraft>): FeedDraft {
  const next = { ...draft, ...change };
  if (draft.topic === '' || draft.topic === suggestedTopic(draft.kind, draft.username)) {
    next.topic = change.topic ?? suggestedTopic(next.kind, next.username);
  }
  if (change.kind && change.kind !== draft.kind) {
    if (next.kind === 'ttn-v3' && next.url === '') next.url = ttnV3Broker;
    else if (next.kind !== 'ttn-v3' && next.url === ttnV3Broker) next.url = '';
  }
  return next;
}

function checked(draft: FeedDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.url.trim()) errors.url = texts.urlRequired;
  if (!draft.topic.trim()) errors.topic = texts.topicRequired;
  return errors;
}

/** The server's reasons, each next to its field; a refused host marks the URL. */
function errorsOf(err: unknown): DraftErrors {
  const code = err instanceof ApiError ? err.code : null;
  const url =
    code === 'feed_host_not_allowed'
      ? texts.hostNotAllowed
      : code === 'outbound_target_refused'
        ? texts.targetRefused
        : undefined;
  return { ...(url ? { url } : {}), ...fieldErrorsOf(err, fieldOfPointer) };
}

function KindField(props: { value: FeedKind; error: string | undefined; onValue: (kind: FeedKind) => void }) {
  return (
    <div class="field">
      <label for="feed-kind">{texts.kind}</label>
      <select
        id="feed-kind"
        value={props.value}
        aria-describedby={props.error ? 'feed-kind-error' : undefined}
        aria-invalid={props.error ? true : undefined}
        onChange={(e) => props.onValue(e.currentTarget.value as FeedKind)}
      >
        {feedKinds.map((kind) => (
          <option key={kind} value={kind}>
            {t.feeds.kinds[kind]}
          </option>
        ))}
      </select>
      {props.error && (
        <p class="field-error" id="feed-kind-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Why a feed needs its devices registered first, in the words of the registration form. */
function Steps() {
  const ttn = t.register;
  return (
    <ol class="feed-steps">
      <li>{texts.steps.register(ttn.presets.ttn.label, ttn.externalId.ttn)}</li>
      <li>{texts.steps.add}</li>
      <li>{texts.steps.own}</li>
    </ol>
  );
}

/** Adding a broker to read: its password goes to the server once and is never seen again. */
export function AddFeed(props: { onAdded: (feed: FeedView) => void; onAuthLost: () => void }) {
  const [draft, setDraft] = useState<FeedDraft>(() => emptyDraft());
  const { form, errors, error, busy, showErrors, send } = useCheckedForm(errorsOf, props.onAuthLost);
  const set = (change: Partial<FeedDraft>) => setDraft((previous) => withChange(previous, change));

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = checked(draft);
    if (Object.keys(found).length > 0) {
      showErrors(found, texts.fixErrors);
      return;
    }
    await send(async () => {
      const feed = await api.post<FeedView>('/api/v1/sensors/feeds', {
        kind: draft.kind,
        url: draft.url.trim(),
        topic: draft.topic.trim(),
        username: draft.username.trim() || null,
        password: draft.password || null,
      });
      setDraft(emptyDraft(draft.kind));
      props.onAdded(feed);
    });
  };

  return (
    <section class="card feed-form" aria-labelledby="feed-form-heading">
      <h2 id="feed-form-heading">{texts.heading}</h2>
      <Steps />
      <form ref={form} noValidate onSubmit={(event) => void submit(event)}>
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <KindField value={draft.kind} error={errors.kind} onValue={(kind) => set({ kind })} />
        <TextField
          id="feed-url"
          label={texts.url}
          hint={texts.urlHint}
          inputMode="url"
          autocomplete="off"
          spellcheck={false}
          value={draft.url}
          onValue={(url) => set({ url })}
          error={errors.url}
          required
        />
        <TextField
          id="feed-username"
          label={texts.username}
          hint={texts.usernameHint[draft.kind]}
          optional
          autocomplete="off"
          spellcheck={false}
          value={draft.username}
          onValue={(username) => set({ username })}
          error={errors.username}
        />
        <TextField
          id="feed-password"
          label={texts.password}
          hint={texts.passwordHint}
          optional
          type="password"
          // Not the owner's own Tally password, which browsers would otherwise offer here.
          autocomplete="new-password"
          value={draft.password}
          onValue={(password) => set({ password })}
          error={errors.password}
        />
        <TextField
          id="feed-topic"
          label={texts.topic}
          hint={texts.topicHint[draft.kind]}
          placeholder={texts.topicPlaceholder[draft.kind]}
          autocomplete="off"
          spellcheck={false}
          value={draft.topic}
          onValue={(topic) => set({ topic })}
          error={errors.topic}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? texts.submitting : texts.submit}
        </button>
      </form>
    </section>
  );
}
