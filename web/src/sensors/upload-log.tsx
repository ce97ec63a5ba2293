import { useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, upload } from '../api';
import type { SensorDevice } from '../shared/sensor-device';
import type { SensorImport } from '../shared/sensor-import';
import { shared } from '../shared/strings';
import { t } from './strings';

const texts = t.upload;

/** Sending the file, then waiting while the server reads it (a day's drive is thousands of lines). */
type Phase = { kind: 'idle' } | { kind: 'uploading'; percent: number } | { kind: 'reading' };

/** The lines an empty import names (the server lists the first of them) as sentences. */
function badLinesOf(err: unknown): string[] {
  if (!(err instanceof ApiError) || err.code !== 'empty_import') return [];
  return err.fieldErrors.map(({ field, message }) => texts.badLine(field, message));
}

function Progress({ phase }: { phase: Phase }) {
  if (phase.kind === 'idle') return null;
  const label = phase.kind === 'uploading' ? texts.uploading(phase.percent) : texts.reading;
  return (
    <div class="upload-progress">
      {phase.kind === 'uploading' ? (
        <progress key="sending" max={100} value={phase.percent} aria-label={texts.progressLabel} />
      ) : (
        // Without a value the bar is indeterminate: the server tells nothing while it reads. A new element,
        // because a bar that once had a value cannot lose it.
        <progress key="reading" aria-label={texts.progressLabel} />
      )}
      <span role="status">{label}</span>
    </div>
  );
}

/** Choosing a drive log and its device, and sending it with a progress bar. */
export function UploadLog(props: {
  devices: SensorDevice[];
  onImported: (item: SensorImport) => void;
  onAuthLost: () => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [deviceId, setDeviceId] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [error, setError] = useState('');
  const [badLines, setBadLines] = useState<string[]>([]);
  const form = useRef<HTMLFormElement>(null);
  // Only counters with a conversion factor can turn a log's counts into dose rates.
  const counters = props.devices.filter((device) => device.cpm_per_unit !== null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    setBadLines([]);
    if (!file) {
      setError(texts.chooseFile);
      return;
    }
    const body = new FormData();
    if (deviceId) body.append('device_id', deviceId);
    body.append('file', file, file.name);
    setPhase({ kind: 'uploading', percent: 0 });
    try {
      const item = await upload<SensorImport>('/api/v1/sensors/imports', body, (sent, total) =>
        setPhase(
          sent < total
            ? { kind: 'uploading', percent: Math.floor((sent / total) * 100) }
            : { kind: 'reading' },
        ),
      );
      form.current?.reset();
      setFile(null);
      props.onImported(item);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return props.onAuthLost();
      setError(errorMessage(err, shared.errors));
      setBadLines(badLinesOf(err));
    } finally {
      setPhase({ kind: 'idle' });
    }
  };

  const busy = phase.kind !== 'idle';
  return (
    <section class="card" aria-labelledby="upload-heading">
      <h2 id="upload-heading">{texts.heading}</h2>
      <p class="lead">{texts.lead}</p>
      <form ref={form} onSubmit={(event) => void submit(event)}>
        {error && (
          <div class="notice notice-error" role="alert">
            <p>{error}</p>
            {badLines.length > 0 && (
              <>
                <p>{texts.badLines}</p>
                <ul>
                  {badLines.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        <div class="field">
          <label for="log-file">{texts.file}</label>
          <input
            id="log-file"
            type="file"
            accept=".LOG,.log,.txt"
            required
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="field">
          <label for="log-device">{texts.device}</label>
          <span class="hint" id="log-device-hint">
            {texts.deviceHint}
          </span>
          <select
            id="log-device"
            aria-describedby="log-device-hint"
            value={deviceId}
            onChange={(e) => setDeviceId(e.currentTarget.value)}
          >
            <option value="">{texts.deviceFromLog}</option>
            {counters.map((device) => (
              <option key={device.id} value={device.id}>
                {device.serial ? `${device.name} (${device.serial})` : device.name}
              </option>
            ))}
          </select>
        </div>
        <Progress phase={phase} />
        <button type="submit" disabled={busy}>
          {texts.submit}
        </button>
      </form>
    </section>
  );
}
