import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort } from '../api';
import { VerificationBadge } from '../shared/badges';
import { categoryIndex, categoryNames, flattenCategories } from '../shared/categories';
import { formatCoordinate, formatDateTime, isoToLocalInput, localInputToIso } from '../shared/format';
import { reportPageUrl } from '../shared/ledger';
import { type Session, SessionBar, SignedIn } from '../shared/session';
import {
  type Category,
  type Page,
  placeName,
  type Report,
  type ReportStatus,
  reportLocation,
} from '../types';
import { Channels } from './channels';
import { DriveLogReview } from './drive-logs';
import { useSelfReviewAllowed } from './four-eyes';
import { Inbox } from './messages';
import { t } from './strings';

const STATUSES: ReportStatus[] = ['pending', 'published', 'rejected', 'archived'];

/** Status changes offered from each status. */
const TRANSITIONS: Record<
  ReportStatus,
  { to: ReportStatus; label: string; kind: 'primary' | 'secondary' | 'danger' }[]
> = {
  pending: [
    { to: 'published', label: t.publish, kind: 'primary' },
    { to: 'rejected', label: t.reject, kind: 'danger' },
  ],
  published: [
    { to: 'archived', label: t.archive, kind: 'secondary' },
    { to: 'rejected', label: t.reject, kind: 'danger' },
  ],
  rejected: [{ to: 'published', label: t.restore, kind: 'secondary' }],
  archived: [{ to: 'published', label: t.restore, kind: 'secondary' }],
};

function describe(error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return t.forbidden;
  return errorMessage(error, t);
}

/* ---------- Editing ---------- */

interface Draft {
  title: string;
  description: string;
  categories: string[];
  occurred_at: string;
  location_name: string;
  lat: string;
  lon: string;
}

function draftOf(report: Report): Draft {
  const where = reportLocation(report);
  return {
    title: report.title ?? '',
    description: report.description ?? '',
    categories: (report.categories ?? []).map(String),
    occurred_at: isoToLocalInput(report.occurred_at),
    location_name: placeName(report),
    lat: where ? String(where.lat) : '',
    lon: where ? String(where.lon) : '',
  };
}

/** The PATCH body for what changed, or a message saying why the draft cannot be saved. */
function changes(report: Report, draft: Draft): { body: Record<string, unknown> } | { error: string } {
  const before = draftOf(report);
  const body: Record<string, unknown> = {};
  if (!draft.title.trim()) return { error: t.titleRequired };
  if (draft.title.trim() !== before.title) body.title = draft.title.trim();
  if (draft.description !== before.description) body.description = draft.description;
  const sorted = (ids: string[]) => [...ids].sort().join(',');
  if (sorted(draft.categories) !== sorted(before.categories)) body.categories = draft.categories;
  // The time can be corrected but not removed: every report has one.
  const occurred = localInputToIso(draft.occurred_at);
  if (draft.occurred_at !== before.occurred_at && occurred) body.occurred_at = occurred;

  const hasLat = draft.lat.trim() !== '';
  const hasLon = draft.lon.trim() !== '';
  if (hasLat !== hasLon) return { error: t.bothCoordinates };
  const lat = Number(draft.lat);
  const lon = Number(draft.lon);
  if (hasLat && !(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return { error: t.badCoordinates };
  const name = draft.location_name.trim();
  if (draft.lat !== before.lat || draft.lon !== before.lon || name !== before.location_name) {
    if (draft.lat !== before.lat || draft.lon !== before.lon) body.location = hasLat ? { lat, lon } : null;
    if (name !== before.location_name) body.location_name = name || null;
  }
  return { body };
}

function EditForm(props: {
  report: Report;
  categories: Category[];
  busy: boolean;
  onSave: (body: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const { report } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(report));
  const [error, setError] = useState('');
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const id = `edit-${report.id}`;

  const submit = (event: Event) => {
    event.preventDefault();
    const result = changes(report, draft);
    if ('error' in result) {
      setError(result.error);
      return;
    }
    setError('');
    if (Object.keys(result.body).length === 0) props.onCancel();
    else props.onSave(result.body);
  };

  const toggle = (categoryId: string, on: boolean) =>
    set({
      categories: on ? [...draft.categories, categoryId] : draft.categories.filter((c) => c !== categoryId),
    });

  return (
    <form class="edit-form" onSubmit={submit}>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="field">
        <label for={`${id}-title`}>{t.title}</label>
        <input
          id={`${id}-title`}
          type="text"
          required
          value={draft.title}
          onInput={(e) => set({ title: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={`${id}-description`}>{t.description}</label>
        <textarea
          id={`${id}-description`}
          rows={5}
          value={draft.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </div>
      {props.categories.length > 0 && (
        <fieldset>
          <legend>{t.categories}</legend>
          <div class="checks">
            {flattenCategories(props.categories).map(({ category, depth }) => {
              const value = String(category.id);
              return (
                <label class="check" key={value} style={{ marginLeft: `${depth * 1.5}rem` }}>
                  <input
                    type="checkbox"
                    checked={draft.categories.includes(value)}
                    onChange={(e) => toggle(value, e.currentTarget.checked)}
                  />{' '}
                  {category.name}
                </label>
              );
            })}
          </div>
        </fieldset>
      )}
      <div class="field">
        <label for={`${id}-occurred`}>{t.occurredAt}</label>
        <input
          id={`${id}-occurred`}
          type="datetime-local"
          value={draft.occurred_at}
          onInput={(e) => set({ occurred_at: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={`${id}-place`}>{t.locationName}</label>
        <input
          id={`${id}-place`}
          type="text"
          value={draft.location_name}
          onInput={(e) => set({ location_name: e.currentTarget.value })}
        />
      </div>
      <div class="row">
        <div class="field">
          <label for={`${id}-lat`}>{t.lat}</label>
          <input
            id={`${id}-lat`}
            type="number"
            step="any"
            min={-90}
            max={90}
            value={draft.lat}
            onInput={(e) => set({ lat: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for={`${id}-lon`}>{t.lon}</label>
          <input
            id={`${id}-lon`}
            type="number"
            step="any"
            min={-180}
            max={180}
            value={draft.lon}
            onInput={(e) => set({ lon: e.currentTarget.value })}
          />
        </div>
      </div>
      <div class="actions">
        <button type="submit" disabled={props.busy}>
          {props.busy ? t.saving : t.save}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel} disabled={props.busy}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}

/* ---------- One report ---------- */

function ReportCard(props: {
  report: Report;
  /** Submitted by the signed-in volunteer, on a deployment where someone else must publish or reject it. */
  own: boolean;
  categories: Category[];
  index: Map<string, Category>;
  onChanged: (report: Report, message: string) => void;
  onGone: (id: Report['id']) => void;
  onAuthLost: () => void;
}) {
  const { report } = props;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const where = reportLocation(report);
  const status = report.status ?? 'pending';

  const patch = async (body: Record<string, unknown>, done: (r: Report) => string) => {
    setBusy(true);
    setError('');
    try {
      const updated = await api.patch<Report>(`/api/v1/reports/${encodeURIComponent(String(report.id))}`, {
        ...body,
        expected_revision: report.revision,
      });
      setEditing(false);
      const fresh = { ...report, ...updated };
      props.onChanged(fresh, done(fresh));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        props.onAuthLost();
      } else if (err instanceof ApiError && err.code === 'revision_conflict') {
        await reload();
      } else if (err instanceof ApiError && err.status === 404) {
        props.onGone(report.id);
      } else {
        setError(describe(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    try {
      const fresh = await api.get<Report>(`/api/v1/reports/${encodeURIComponent(String(report.id))}`);
      setEditing(false);
      props.onChanged(fresh, '');
      setError(t.conflict);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) props.onGone(report.id);
      else setError(`${t.conflict} ${describe(err)}`);
    }
  };

  const headingId = `report-${report.id}-title`;
  const ownNoteId = `report-${report.id}-own`;
  const reviews = (to: ReportStatus) => props.own && (to === 'published' || to === 'rejected');
  return (
    <article class={`card status-${status}`} aria-labelledby={headingId}>
      <header class="card-head">
        <h2 id={headingId}>{report.title}</h2>
        <span class={`chip chip-status chip-${status}`}>{t.status[status]}</span>
      </header>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {editing ? (
        <EditForm
          report={report}
          categories={props.categories}
          busy={busy}
          onCancel={() => setEditing(false)}
          onSave={(body) => void patch(body, (r) => t.done.edited(r.title))}
        />
      ) : (
        <>
          <p class="description">{report.description || <span class="muted">{t.noDescription}</span>}</p>
          <dl class="facts">
            <dt>{t.when}</dt>
            <dd>{formatDateTime(report.occurred_at) || t.none}</dd>
            <dt>{t.received}</dt>
            <dd>{formatDateTime(report.received_at) || t.none}</dd>
            <dt>{t.place}</dt>
            <dd>{placeName(report) || t.none}</dd>
            <dt>{t.coordinates}</dt>
            <dd>{where ? `${formatCoordinate(where.lat)}, ${formatCoordinate(where.lon)}` : t.none}</dd>
            <dt>{t.categories}</dt>
            <dd>
              {(report.categories?.length ?? 0) > 0
                ? categoryNames(report.categories, props.index).map((name) => (
                    <span class="chip" key={name}>
                      {name}
                    </span>
                  ))
                : t.none}
            </dd>
            <dt>{t.author}</dt>
            <dd>{report.author_name || t.anonymous}</dd>
            <dt>{t.contact}</dt>
            <dd>
              {report.contact ? (
                <>
                  {report.contact} <span class="muted">({t.contactPrivate})</span>
                </>
              ) : (
                t.none
              )}
            </dd>
            {report.source && (
              <>
                <dt>{t.source}</dt>
                <dd>{report.source}</dd>
              </>
            )}
            {report.revision !== undefined && (
              <>
                <dt>{t.revision}</dt>
                <dd>{report.revision}</dd>
              </>
            )}
            <dt>{t.verification}</dt>
            <dd>
              <VerificationBadge value={report.verification} />{' '}
              {(report.votes?.length ?? 0) > 0 && (
                <span class="muted">{t.votes(report.votes?.length ?? 0)}</span>
              )}
            </dd>
          </dl>
          <p class="card-link">
            <a href={reportPageUrl(report.id)} aria-label={t.openPageOf(report.title)}>
              {t.openPage}
            </a>
          </p>
          {props.own && (
            <p class="muted own-work" id={ownNoteId}>
              {t.ownReport}
            </p>
          )}
          <div class="actions">
            {TRANSITIONS[status].map(({ to, label, kind }) => (
              <button
                type="button"
                key={to}
                class={kind === 'primary' ? undefined : kind}
                disabled={busy || reviews(to)}
                aria-describedby={reviews(to) ? ownNoteId : undefined}
                onClick={() => void patch({ status: to }, (r) => t.done[to](r.title))}
              >
                {label}
              </button>
            ))}
            <button type="button" class="secondary" disabled={busy} onClick={() => setEditing(true)}>
              {t.edit}
            </button>
          </div>
        </>
      )}
    </article>
  );
}

/* ---------- The queue ---------- */

function Queue({
  onAuthLost,
  isOwn,
}: {
  onAuthLost: () => void;
  /** Whether the signed-in volunteer submitted a report and may not publish or reject it. */
  isOwn: (report: Report) => boolean;
}) {
  const [status, setStatus] = useState<ReportStatus>('pending');
  const [items, setItems] = useState<Report[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [categories, setCategories] = useState<Category[]>([]);
  const [reload, setReload] = useState(0);
  const index = useMemo(() => categoryIndex(categories), [categories]);

  useEffect(() => {
    api
      .get<Page<Category>>('/api/v1/categories')
      .then((page) => setCategories(page.items ?? []))
      .catch(() => setCategories([]));
  }, []);

  const handle = useCallback(
    (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else setError(describe(err));
    },
    [onAuthLost],
  );

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError('');
    setItems([]);
    setCursor(null);
    api
      .get<Page<Report>>('/api/v1/reports', { status, limit: 50 }, controller.signal)
      .then((page) => {
        setItems(page.items ?? []);
        setCursor(page.next_cursor ?? null);
      })
      .catch(handle)
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [status, reload, handle]);

  const more = () => {
    if (!cursor) return;
    setLoading(true);
    api
      .get<Page<Report>>('/api/v1/reports', { status, limit: 50, cursor })
      .then((page) => {
        setItems((previous) => {
          const known = new Set(previous.map((r) => String(r.id)));
          return [...previous, ...(page.items ?? []).filter((r) => !known.has(String(r.id)))];
        });
        setCursor(page.next_cursor ?? null);
      })
      .catch(handle)
      .finally(() => setLoading(false));
  };

  const changed = (report: Report, text: string) => {
    setItems((previous) =>
      // A report that left this status leaves the list once the action is done; a reload keeps it in place.
      text && report.status && report.status !== status
        ? previous.filter((r) => String(r.id) !== String(report.id))
        : previous.map((r) => (String(r.id) === String(report.id) ? report : r)),
    );
    if (text) setMessage(text);
  };

  const gone = (id: Report['id']) => {
    setItems((previous) => previous.filter((r) => String(r.id) !== String(id)));
    setMessage(t.gone);
  };

  return (
    <section class="queue">
      <div class="tabs">
        {/* A filter rather than ARIA tabs: plain toggle buttons need no special keyboard handling. */}
        <fieldset class="tab-group">
          <legend class="visually-hidden">{t.tabsLabel}</legend>
          {STATUSES.map((s) => (
            <button
              type="button"
              key={s}
              aria-pressed={s === status}
              class={s === status ? 'tab active' : 'tab'}
              onClick={() => {
                setMessage('');
                setStatus(s);
              }}
            >
              {t.tabs[s]}
            </button>
          ))}
        </fieldset>
        <button type="button" class="secondary refresh" onClick={() => setReload((n) => n + 1)}>
          {t.refresh}
        </button>
      </div>
      <div id="queue-panel">
        <div aria-live="polite">{message && <p class="notice notice-success">{message}</p>}</div>
        {error && (
          <div class="notice notice-error" role="alert">
            <p>{error}</p>
            <button type="button" class="secondary" onClick={() => setReload((n) => n + 1)}>
              {t.retry}
            </button>
          </div>
        )}
        {!loading && !error && items.length === 0 && <p class="muted">{t.emptyTab[status]}</p>}
        {items.map((report) => (
          <ReportCard
            key={`${report.id}`}
            report={report}
            own={isOwn(report)}
            categories={categories}
            index={index}
            onChanged={changed}
            onGone={gone}
            onAuthLost={onAuthLost}
          />
        ))}
        {loading && <p class="muted">{t.loading}</p>}
        {cursor && !loading && (
          <button type="button" class="secondary more" onClick={more}>
            {t.more}
          </button>
        )}
      </div>
    </section>
  );
}

/* ---------- Page ---------- */

type Section = 'reports' | 'messages' | 'driveLogs' | 'channels';

function sectionsFor(role: string): Section[] {
  const managesChannels = role === 'coordinator' || role === 'admin';
  return ['reports', 'messages', 'driveLogs', ...(managesChannels ? (['channels'] as const) : [])];
}

function VolunteerWork({ session }: { session: Session }) {
  const [section, setSection] = useState<Section>('reports');
  const { authLost } = session;
  const selfReviewAllowed = useSelfReviewAllowed();
  const isOwn = (report: Report) =>
    !selfReviewAllowed && report.created_by != null && report.created_by === String(session.user.id);
  return (
    <>
      <h1>{t.queueHeading}</h1>
      <SessionBar session={session} />
      <nav class="sections" aria-label={t.sectionsLabel}>
        {sectionsFor(session.user.role).map((name) => (
          <button
            type="button"
            key={name}
            aria-pressed={section === name}
            class={section === name ? 'tab active' : 'tab'}
            onClick={() => setSection(name)}
          >
            {t.sections[name]}
          </button>
        ))}
      </nav>
      {section === 'reports' && <Queue onAuthLost={authLost} isOwn={isOwn} />}
      {section === 'messages' && <Inbox onAuthLost={authLost} />}
      {section === 'driveLogs' && (
        <DriveLogReview onAuthLost={authLost} selfReviewAllowed={selfReviewAllowed} />
      )}
      {section === 'channels' && <Channels onAuthLost={authLost} />}
    </>
  );
}

render(
  <SignedIn heading={t.loginHeading} lead={t.loginLead}>
    {(session) => <VolunteerWork session={session} />}
  </SignedIn>,
  document.getElementById('app') as HTMLElement,
);
