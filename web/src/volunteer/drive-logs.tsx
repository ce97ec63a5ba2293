import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort } from '../api';
import { DriveLogReport, ImportStatusChip } from '../shared/drive-log';
import { formatDateTime } from '../shared/format';
import { deviceUrl, type SensorDevice } from '../shared/sensor-device';
import { importTitle, importUrl, type SensorImport } from '../shared/sensor-import';
import { t } from './strings';

const texts = t.driveLogs;

/** What the owner said about the drive; only what they filled in. */
function OwnerFacts({ item, device }: { item: SensorImport; device: SensorDevice | undefined }) {
  const { cities, credits, height, orientation } = item.metadata;
  return (
    <dl class="facts">
      <dt>{texts.submittedAt}</dt>
      <dd>{formatDateTime(item.submitted_at) || t.none}</dd>
      <dt>{texts.file}</dt>
      <dd>
        <code>{item.file_name}</code>
      </dd>
      <dt>{texts.device}</dt>
      <dd>{device ? texts.deviceLine(device.name, device.model, device.sensor) : item.device_id}</dd>
      {cities && (
        <>
          <dt>{texts.cities}</dt>
          <dd>{cities}</dd>
        </>
      )}
      {credits && (
        <>
          <dt>{texts.credits}</dt>
          <dd>{credits}</dd>
        </>
      )}
      {typeof height === 'number' && (
        <>
          <dt>{texts.height}</dt>
          <dd>{texts.metres(height)}</dd>
        </>
      )}
      {orientation && (
        <>
          <dt>{texts.orientation}</dt>
          <dd>{orientation}</dd>
        </>
      )}
    </dl>
  );
}

/** Approve or reject, with a reason the owner will read; rejecting without one is not allowed. */
function DecisionForm(props: {
  item: SensorImport;
  onDecided: (notice: string) => void;
  onAuthLost: () => void;
}) {
  const { item } = props;
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const id = `decision-${item.id}`;

  const decide = async (verdict: 'approve' | 'reject') => {
    const given = reason.trim();
    if (verdict === 'reject' && !given) {
      setReasonMissing(true);
      reasonField.current?.focus();
      return;
    }
    setReasonMissing(false);
    setBusy(true);
    setError('');
    try {
      await api.post(importUrl(item.id, verdict), given ? { reason: given } : {});
      const name = importTitle(item);
      props.onDecided(verdict === 'approve' ? texts.approved(name) : texts.rejected(name));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) props.onAuthLost();
      else setError(errorMessage(err, t));
      setBusy(false);
    }
  };

  return (
    <form class="decision-form" onSubmit={(event) => event.preventDefault()}>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="field">
        <label for={`${id}-reason`}>{texts.reason}</label>
        <span class="hint" id={`${id}-hint`}>
          {texts.reasonHint}
        </span>
        <textarea
          id={`${id}-reason`}
          ref={reasonField}
          rows={2}
          value={reason}
          aria-describedby={reasonMissing ? `${id}-hint ${id}-missing` : `${id}-hint`}
          aria-invalid={reasonMissing}
          onInput={(e) => {
            setReason(e.currentTarget.value);
            if (e.currentTarget.value.trim()) setReasonMissing(false);
          }}
        />
        {reasonMissing && (
          <p class="field-error" id={`${id}-missing`} role="alert">
            {texts.reasonRequired}
          </p>
        )}
      </div>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void decide('approve')}>
          {texts.approve}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void decide('reject')}>
          {texts.reject}
        </button>
      </div>
    </form>
  );
}

/** The devices that logged these drives: they name each one and give its conversion factor. */
async function devicesOf(items: SensorImport[], signal: AbortSignal): Promise<Map<string, SensorDevice>> {
  const ids = [...new Set(items.map((item) => item.device_id))];
  const found = await Promise.all(
    // The review works without a device's details, so one that cannot be read is left out.
    ids.map((id) => api.get<SensorDevice>(deviceUrl(id), undefined, signal).catch(() => null)),
  );
  return new Map(found.filter((device) => device !== null).map((device) => [device.id, device]));
}

/** The ids of the signed-in volunteer's own waiting logs; none to hold back where one may decide on one's own. */
async function ownOf(selfReviewAllowed: boolean, signal: AbortSignal): Promise<Set<string>> {
  if (selfReviewAllowed) return new Set();
  const mine = await api
    .get<{ data: SensorImport[] }>(
      '/api/v1/sensors/imports',
      { status: 'submitted', mine: true, limit: 100 },
      signal,
    )
    // Without the answer every log is offered: the server still refuses a decision on one's own.
    .catch(() => ({ data: [] }));
  return new Set(mine.data.map((item) => item.id));
}

function DriveLogCard(props: {
  item: SensorImport;
  /** The signed-in volunteer's own log, on a deployment where someone else must decide on it. */
  own: boolean;
  device: SensorDevice | undefined;
  onDecided: (notice: string) => void;
  onAuthLost: () => void;
}) {
  const { item, device } = props;
  const name = importTitle(item);
  const headingId = `import-${item.id}`;
  return (
    <article class="card status-pending" aria-labelledby={headingId}>
      <header class="card-head">
        <h2 id={headingId}>{name}</h2>
        <ImportStatusChip status={item.status} />
      </header>
      <p class="description">{item.metadata.description || <span class="muted">{t.noDescription}</span>}</p>
      <OwnerFacts item={item} device={device} />
      <DriveLogReport item={item} cpmPerUnit={device?.cpm_per_unit} />
      <p class="card-link">
        <a href={importUrl(item.id, 'track')} type="application/geo+json" aria-label={texts.trackOf(name)}>
          {texts.track}
        </a>
      </p>
      {props.own ? (
        <p class="muted own-work">{texts.ownLog}</p>
      ) : (
        <DecisionForm item={item} onDecided={props.onDecided} onAuthLost={props.onAuthLost} />
      )}
    </article>
  );
}

/** Drive logs their owners submitted, for volunteers to approve (onto the map) or reject with a reason. */
export function DriveLogReview({
  onAuthLost,
  selfReviewAllowed,
}: {
  onAuthLost: () => void;
  selfReviewAllowed: boolean;
}) {
  const [items, setItems] = useState<SensorImport[]>([]);
  /** The signed-in volunteer's own logs among those waiting, which someone else must decide on. */
  const [own, setOwn] = useState<Set<string>>(new Set());
  const [devices, setDevices] = useState<Map<string, SensorDevice>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [reload, setReload] = useState(0);

  const handle = useCallback(
    (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else
        setError(err instanceof ApiError && err.status === 403 ? texts.volunteersOnly : errorMessage(err, t));
    },
    [onAuthLost],
  );

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError('');
    api
      .get<{ data: SensorImport[] }>(
        '/api/v1/sensors/imports',
        { status: 'submitted', limit: 100 },
        controller.signal,
      )
      .then((answer) => {
        setItems(answer.data);
        return Promise.all([
          devicesOf(answer.data, controller.signal).then(setDevices),
          ownOf(selfReviewAllowed, controller.signal).then(setOwn),
        ]);
      })
      .catch(handle)
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [reload, handle, selfReviewAllowed]);

  return (
    <section class="queue" aria-label={t.sections.driveLogs}>
      <div class="tabs">
        <p class="muted drive-logs-lead">{texts.lead}</p>
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
      {!loading && !error && items.length === 0 && <p class="muted">{texts.empty}</p>}
      {items.map((item) => (
        <DriveLogCard
          key={item.id}
          item={item}
          own={own.has(item.id)}
          device={devices.get(item.device_id)}
          onAuthLost={onAuthLost}
          onDecided={(text) => {
            setItems((previous) => previous.filter((other) => other.id !== item.id));
            setNotice(text);
          }}
        />
      ))}
      {loading && <p class="muted">{t.loading}</p>}
    </section>
  );
}
