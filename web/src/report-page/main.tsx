import { type ComponentChildren, render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort } from '../api';
import { MirrorBanner, VerificationBadge } from '../shared/badges';
import { categoryIndex, categoryNames } from '../shared/categories';
import { formatCoordinate, formatDateTime } from '../shared/format';
import { checkpointSize, entryContent, entryUrl, inclusionProofUrl } from '../shared/ledger';
import { actionLabel, shared, verificationLabel } from '../shared/strings';
import {
  type Category,
  type LedgerEntry,
  type Page,
  placeName,
  type Report,
  reportLocation,
  type SiteConfig,
  type User,
  type Verdict,
  type Vote,
} from '../types';
import { t } from './strings';

const VERDICTS: Verdict[] = ['confirm', 'reject', 'needs_info'];
const CHECKERS = new Set(['volunteer', 'coordinator', 'admin']);

/** `/reports/<id>` → the id, or '' when the address names none. */
function idFromPath(): string {
  const match = /^\/reports\/([^/]+)\/?$/.exec(location.pathname);
  if (!match?.[1]) return '';
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return '';
  }
}

function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>{t.none}</>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/* ---------- Facts ---------- */

function Facts({ report, index }: { report: Report; index: Map<string, Category> }) {
  const where = reportLocation(report);
  const names = categoryNames(report.categories, index);
  return (
    <dl class="facts">
      <dt>{t.when}</dt>
      <dd>
        <Time iso={report.occurred_at} />
      </dd>
      <dt>{t.received}</dt>
      <dd>
        <Time iso={report.received_at} />
      </dd>
      {report.published_at && (
        <>
          <dt>{t.published}</dt>
          <dd>
            <Time iso={report.published_at} />
          </dd>
        </>
      )}
      {report.published_by && (
        <>
          <dt>{t.publishedBy}</dt>
          <dd>
            <code class="pseudonym">{report.published_by}</code>
            {report.published_by.startsWith('p-') && <span class="muted"> ({t.publishedByHint})</span>}
          </dd>
        </>
      )}
      <dt>{t.place}</dt>
      <dd>{placeName(report) || t.none}</dd>
      <dt>{t.coordinates}</dt>
      <dd>
        {where ? `${formatCoordinate(where.lat)}, ${formatCoordinate(where.lon)}` : t.none}
        {where && report.sensitivity === 'coarse' && <span class="muted"> ({t.approximate})</span>}
      </dd>
      <dt>{t.categories}</dt>
      <dd>
        {names.length > 0
          ? names.map((name) => (
              <span class="chip" key={name}>
                {name}
              </span>
            ))
          : t.none}
      </dd>
      <dt>{t.author}</dt>
      <dd>{report.author_name || t.anonymous}</dd>
      {report.source && (
        <>
          <dt>{t.source}</dt>
          <dd>{t.sources[report.source] ?? report.source}</dd>
        </>
      )}
      <dt>{t.reference}</dt>
      <dd>
        <code>{String(report.id)}</code>
      </dd>
    </dl>
  );
}

/* ---------- Votes ---------- */

function Votes({ votes }: { votes: Vote[] }) {
  if (votes.length === 0) return <p class="muted">{t.noVotes}</p>;
  return (
    <ul class="votes">
      {votes.map((vote) => (
        <li key={`${vote.voter}-${vote.created_at}`} class={`vote vote-${vote.verdict}`}>
          <p class="vote-head">
            <span class={`verdict verdict-${vote.verdict}`}>
              {shared.verdict[vote.verdict] ?? vote.verdict}
            </span>{' '}
            <span class="muted">
              {t.by} <code class="pseudonym">{vote.voter}</code> · <Time iso={vote.created_at} />
            </span>
          </p>
          <p class="vote-reason">{vote.reason || <span class="muted">{t.noReason}</span>}</p>
        </li>
      ))}
    </ul>
  );
}

function voteError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'already_voted' || error.status === 409) return t.alreadyVoted;
    if (error.code === 'vote_not_allowed') return t.ownReport;
    if (error.status === 401) return t.signedOut;
    if (error.status === 403) return t.forbidden;
    const field = error.fieldErrors[0];
    if (field) return field.message;
  }
  return errorMessage(error, t);
}

function VoteForm({ reportId, onVoted }: { reportId: string; onVoted: () => void }) {
  const [verdict, setVerdict] = useState<Verdict | ''>('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!verdict) {
      setError(t.chooseVerdict);
      return;
    }
    setBusy(true);
    setError('');
    try {
      await api.post(`/api/v1/reports/${encodeURIComponent(reportId)}/votes`, {
        verdict,
        reason: reason.trim(),
      });
      setVerdict('');
      setReason('');
      setDone(t.voted);
      onVoted();
    } catch (err) {
      setError(voteError(err));
    } finally {
      setBusy(false);
    }
  };

  // Each volunteer checks a report once: after their check, only the thanks is left.
  if (done) {
    return (
      <div class="vote-form" aria-live="polite">
        <p class="notice notice-success">{done}</p>
      </div>
    );
  }
  return (
    <form class="vote-form" onSubmit={submit} aria-labelledby="vote-heading">
      <h3 id="vote-heading">{t.voteHeading}</h3>
      <p class="hint">{t.voteLead}</p>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <fieldset class="verdicts">
        <legend>{t.verdictLegend}</legend>
        {VERDICTS.map((value) => (
          <label class="check" key={value}>
            <input
              type="radio"
              name="verdict"
              value={value}
              checked={verdict === value}
              onChange={() => setVerdict(value)}
            />{' '}
            {t.verdicts[value]}
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="vote-reason">{t.reason}</label>
        <span class="hint" id="vote-reason-hint">
          {t.reasonHint}
        </span>
        <textarea
          id="vote-reason"
          rows={3}
          maxLength={2000}
          required
          aria-describedby="vote-reason-hint"
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? t.sending : t.send}
      </button>
    </form>
  );
}

/* ---------- History ---------- */

interface VoteContent {
  verdict?: Verdict;
  verification?: string;
}

function entryDetail(entry: LedgerEntry): string {
  if (entry.action !== 'vote.cast') return '';
  const vote = entryContent<VoteContent>(entry.content);
  if (!vote?.verdict) return '';
  return t.voteEntry(shared.verdict[vote.verdict] ?? vote.verdict, verificationLabel(vote.verification));
}

function History({ entries, treeSize }: { entries: LedgerEntry[]; treeSize: number }) {
  if (entries.length === 0) return <p class="muted">{t.noHistory}</p>;
  return (
    <ol class="history">
      {entries.map((entry) => {
        const detail = entryDetail(entry);
        const size = Math.max(treeSize, entry.index + 1);
        return (
          <li key={entry.index} class="history-entry">
            <p class="history-head">
              <span class="history-index">{t.entry(entry.index)}</span>
              <strong>{actionLabel(entry.action)}</strong>
            </p>
            <p class="history-meta">
              {t.by} <code class="pseudonym">{entry.actor}</code> · <Time iso={entry.time} />
            </p>
            {detail && <p class="history-detail">{detail}</p>}
            {entry.redacted && <p class="history-detail muted">{t.redacted}</p>}
            <p class="history-links">
              <a href={inclusionProofUrl(entry.index, size)} aria-label={t.proofLabel(entry.index)}>
                {t.proof}
              </a>{' '}
              ·{' '}
              <a href={entryUrl(entry.index)} aria-label={t.entryLabel(entry.index)}>
                {t.entryJson}
              </a>
            </p>
          </li>
        );
      })}
    </ol>
  );
}

/* ---------- Page ---------- */

function App() {
  const id = useMemo(idFromPath, []);
  const [config, setConfig] = useState<SiteConfig | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState(id ? '' : t.noId);
  const [history, setHistory] = useState<LedgerEntry[] | null>(null);
  const [historyError, setHistoryError] = useState('');
  const [treeSize, setTreeSize] = useState(0);
  const [user, setUser] = useState<User | null>(null);
  const [reload, setReload] = useState(0);
  const index = useMemo(() => categoryIndex(categories), [categories]);

  useEffect(() => {
    api
      .get<SiteConfig>('/api/v1/config')
      .then(setConfig)
      .catch(() => setConfig(null));
    api
      .get<Page<Category>>('/api/v1/categories')
      .then((page) => setCategories(page.items ?? []))
      .catch(() => setCategories([]));
    // Signed in on the volunteers' page? The session cookie goes with every request.
    api
      .get<{ user: User }>('/api/v1/auth/me')
      .then((answer) => setUser(answer.user ?? null))
      .catch(() => setUser(null));
  }, []);

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    const path = `/api/v1/reports/${encodeURIComponent(id)}`;
    api
      .get<Report>(path, undefined, controller.signal)
      .then((answer) => {
        setReport(answer);
        setError('');
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setError(err instanceof ApiError && err.status === 404 ? t.notFound : errorMessage(err, t));
      });
    api
      .get<{ entries: LedgerEntry[] }>(`${path}/history`, undefined, controller.signal)
      .then((answer) => {
        setHistory(answer.entries ?? []);
        setHistoryError('');
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setHistoryError(`${t.historyError} ${errorMessage(err, t)}`);
      });
    api
      .get<string>('/api/v1/ledger/checkpoint', undefined, controller.signal)
      .then((note) => setTreeSize(checkpointSize(String(note)) ?? 0))
      .catch(() => setTreeSize(0));
    return () => controller.abort();
  }, [id, reload]);

  useEffect(() => {
    const site = config?.name ?? 'Tally';
    if (report) document.title = t.pageTitle(report.title, site);
    const brand = document.querySelector('.site-header .brand');
    if (brand && config) brand.textContent = config.name;
  }, [config, report]);

  useEffect(() => {
    const banner = document.getElementById('banner');
    if (banner) render(<MirrorBanner mirror={config?.mirror_of} />, banner);
  }, [config]);

  const refresh = useCallback(() => setReload((n) => n + 1), []);

  if (error && !report) {
    return (
      <>
        <div class="notice notice-error" role="alert">
          <p>{error}</p>
          {id && error !== t.notFound && (
            <button type="button" class="secondary" onClick={refresh}>
              {t.retry}
            </button>
          )}
        </div>
        <p>
          <a href="/">{t.backToMap}</a>
        </p>
      </>
    );
  }
  if (!report) return <p class="muted">{t.loading}</p>;

  const mayVote = user && CHECKERS.has(user.role) && !config?.mirror_of;
  const status = report.status ?? 'published';
  let voting: ComponentChildren = null;
  if (config?.mirror_of) {
    voting = <p class="muted">{t.mirrorNoVotes}</p>;
  } else if (mayVote && (status === 'published' || status === 'pending')) {
    voting = <VoteForm reportId={String(report.id)} onVoted={refresh} />;
  } else if (!user) {
    voting = (
      <p class="muted">
        {t.signInToVote} <a href="/volunteer">{t.volunteersPage}</a>.
      </p>
    );
  }

  return (
    <article class="report" aria-labelledby="report-title">
      <header class="report-head">
        <h1 id="report-title">{report.title}</h1>
        <p class="verification-line">
          <span class="visually-hidden">{t.verification}: </span>
          <VerificationBadge value={report.verification} large />{' '}
          <span class="muted">{shared.verificationMeaning[report.verification ?? 'unverified']}</span>
        </p>
        {status !== 'published' && <p class="notice notice-warning">{t.status[status] ?? status}</p>}
      </header>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <p class="description">{report.description || <span class="muted">{t.noDescription}</span>}</p>
      <Facts report={report} index={index} />

      <section aria-labelledby="votes-heading">
        <h2 id="votes-heading">{t.votesHeading}</h2>
        <p class="hint">{t.votesLead}</p>
        <Votes votes={report.votes ?? []} />
        {voting}
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">{t.historyHeading}</h2>
        <p class="hint">
          {t.historyLead} <a href="/about#verify">{t.howToVerify}</a>.
        </p>
        {historyError && <p class="notice notice-error">{historyError}</p>}
        {history && <History entries={history} treeSize={treeSize} />}
      </section>
    </article>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
