import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort } from '../api';
import { categoryIndex, categoryNames } from '../shared/categories';
import { formatCoordinate, formatDateTime } from '../shared/format';
import type { Category, Page } from '../types';
import { t } from './strings';

type MessageStatus = 'received' | 'processed' | 'archived';
type OutboundStatus = 'queued' | 'sent' | 'delivered' | 'failed';
/** The inbox's tabs: received messages by status, and what Tally sent. */
type Tab = MessageStatus | 'outbound';

/** An inbound message as the inbox gives it: the sender only by an opaque contact id. */
interface InboxMessage {
  id: string;
  number: number;
  channel: string;
  contact: string | null;
  text: string;
  media: string[];
  direction: 'inbound' | 'outbound';
  status: MessageStatus | OutboundStatus;
  status_detail: string | null;
  report_id: string | null;
  received_at: string;
  suggested_location: {
    lat: number;
    lon: number;
    name: string | null;
    confidence: number;
    source: string;
  } | null;
  suggested_categories: string[];
}

const TABS: Tab[] = ['received', 'processed', 'archived', 'outbound'];

function MessageCard(props: {
  message: InboxMessage;
  index: Map<string, Category>;
  onDone: (message: InboxMessage, notice: string) => void;
  onAuthLost: () => void;
}) {
  const { message } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const suggested = message.suggested_location;

  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setError('');
    try {
      props.onDone(message, await run());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) props.onAuthLost();
      else setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const makeReport = () =>
    act(async () => {
      const made = await api.post<{ report: { title: string } }>(
        `/api/v1/messages/${encodeURIComponent(message.id)}/report`,
        {},
      );
      return t.inbox.made(made.report.title);
    });
  const archive = () =>
    act(async () => {
      await api.post(`/api/v1/messages/${encodeURIComponent(message.id)}/archive`);
      return t.inbox.archived(message.number);
    });

  const headingId = `message-${message.id}`;
  return (
    <article
      class={`card status-${message.status === 'received' ? 'pending' : 'published'}`}
      aria-labelledby={headingId}
    >
      <header class="card-head">
        <h2 id={headingId}>
          {message.direction === 'outbound'
            ? t.inbox.sentNumber(message.number)
            : t.inbox.number(message.number)}
        </h2>
        <span class="chip chip-status">{t.inbox.status[message.status]}</span>
      </header>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <p class="description message-text">{message.text || <span class="muted">{t.noDescription}</span>}</p>
      <dl class="facts">
        <dt>{t.received}</dt>
        <dd>{formatDateTime(message.received_at)}</dd>
        <dt>{t.inbox.channel}</dt>
        <dd>{message.channel}</dd>
        <dt>{t.inbox.sender}</dt>
        <dd>
          <code>{message.contact ? message.contact.slice(-8) : t.none}</code>{' '}
          <span class="muted">({t.inbox.senderPrivate})</span>
        </dd>
        <dt>{t.inbox.suggestedPlace}</dt>
        <dd>
          {suggested
            ? `${suggested.name ?? `${formatCoordinate(suggested.lat)}, ${formatCoordinate(suggested.lon)}`} · ${t.inbox.confidence(suggested.confidence)}`
            : t.none}
        </dd>
        <dt>{t.categories}</dt>
        <dd>
          {message.suggested_categories.length > 0
            ? categoryNames(message.suggested_categories, props.index).map((name) => (
                <span class="chip" key={name}>
                  {name}
                </span>
              ))
            : t.none}
        </dd>
        {message.status_detail && (
          <>
            <dt>{t.inbox.note}</dt>
            <dd>{message.status_detail}</dd>
          </>
        )}
      </dl>
      {message.status === 'received' && (
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void makeReport()}>
            {t.inbox.makeReport}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => void archive()}>
            {t.inbox.archive}
          </button>
        </div>
      )}
    </article>
  );
}

/** The inbox: messages from every SMS and chat channel, to be made into reports or archived as noise. */
export function Inbox(props: { onAuthLost: () => void }) {
  const [status, setStatus] = useState<Tab>('received');
  const [items, setItems] = useState<InboxMessage[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [reload, setReload] = useState(0);
  const { onAuthLost } = props;
  const [index, setIndex] = useState<Map<string, Category>>(new Map());

  useEffect(() => {
    // Category names for the suggested categories; the inbox works without them.
    api
      .get<Page<Category>>('/api/v1/categories')
      .then((page) => setIndex(categoryIndex(page.items ?? [])))
      .catch(() => {});
  }, []);

  const handle = useCallback(
    (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else setError(errorMessage(err, t));
    },
    [onAuthLost],
  );

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError('');
    api
      .get<{ data: InboxMessage[] }>(
        '/api/v1/messages',
        status === 'outbound'
          ? { direction: 'outbound', limit: 100 }
          : { direction: 'inbound', status, limit: 100 },
        controller.signal,
      )
      .then((answer) => setItems(answer.data))
      .catch(handle)
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [status, reload, handle]);

  return (
    <section class="queue">
      <div class="tabs">
        <fieldset class="tab-group">
          <legend class="visually-hidden">{t.inbox.tabsLabel}</legend>
          {TABS.map((s) => (
            <button
              type="button"
              key={s}
              aria-pressed={s === status}
              class={s === status ? 'tab active' : 'tab'}
              onClick={() => {
                setNotice('');
                setStatus(s);
              }}
            >
              {t.inbox.tabs[s]}
            </button>
          ))}
        </fieldset>
        <button type="button" class="secondary refresh" onClick={() => setReload((n) => n + 1)}>
          {t.refresh}
        </button>
      </div>
      <div aria-live="polite">{notice && <p class="notice notice-success">{notice}</p>}</div>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {!loading && !error && items.length === 0 && <p class="muted">{t.inbox.empty[status]}</p>}
      {items.map((message) => (
        <MessageCard
          key={message.id}
          message={message}
          index={index}
          onAuthLost={onAuthLost}
          onDone={(done, text) => {
            setItems((previous) => previous.filter((m) => m.id !== done.id));
            setNotice(text);
          }}
        />
      ))}
      {loading && <p class="muted">{t.loading}</p>}
    </section>
  );
}
