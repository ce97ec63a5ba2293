import { useEffect, useRef, useState } from 'preact/hooks';
import { DriveLogReport, ImportStatusChip } from '../shared/drive-log';
import { formatDateTime } from '../shared/format';
import type { SensorDevice } from '../shared/sensor-device';
import { importTitle, type SensorImport } from '../shared/sensor-import';
import { OwnListSection } from './own-list-section';
import { t } from './strings';
import { SubmitLog } from './submit-log';
import { UploadLog } from './upload-log';
import type { OwnList } from './use-own-list';

const texts = t.logs;

function stateOf(item: SensorImport): string {
  if (item.status === 'rejected') return texts.state.rejected(item.decision_reason ?? '');
  if (item.status === 'approved' && item.auto_approved) return texts.state.autoApproved;
  return texts.state[item.status];
}

function ImportCard(props: {
  item: SensorImport;
  device: SensorDevice | undefined;
  /** Just uploaded: open, and focused so that its result is read out. */
  fresh: boolean;
  onChanged: (item: SensorImport, notice: string) => void;
  onAuthLost: () => void;
}) {
  const { item, device } = props;
  const [open, setOpen] = useState(props.fresh);
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = `import-${item.id}`;
  const detailsId = `import-${item.id}-details`;

  const shownStatus = useRef(item.status);

  useEffect(() => {
    if (props.fresh) heading.current?.focus();
  }, [props.fresh]);

  // Submitting removes the form that had the focus; the card's heading takes it, so the new state is read.
  useEffect(() => {
    if (shownStatus.current === item.status) return;
    shownStatus.current = item.status;
    heading.current?.focus();
  }, [item.status]);

  return (
    <article class={`card import-${item.status}`} aria-labelledby={headingId}>
      <header class="card-head">
        <h3 id={headingId} ref={heading} tabIndex={-1}>
          {importTitle(item)}
        </h3>
        <ImportStatusChip status={item.status} />
      </header>
      <p class="import-state">{stateOf(item)}</p>
      <dl class="facts">
        <dt>{texts.uploaded}</dt>
        <dd>{formatDateTime(item.created_at)}</dd>
        <dt>{texts.file}</dt>
        <dd>
          <code>{item.file_name}</code>
        </dd>
        <dt>{texts.device}</dt>
        <dd>{device?.name ?? item.device_id}</dd>
      </dl>
      <button
        type="button"
        class="secondary"
        aria-expanded={open}
        aria-controls={detailsId}
        onClick={() => setOpen(!open)}
      >
        {open ? texts.hideDetails : texts.showDetails}
      </button>
      <div id={detailsId} class="import-details" hidden={!open}>
        <DriveLogReport item={item} cpmPerUnit={device?.cpm_per_unit} />
        {item.status === 'processed' && (
          <SubmitLog item={item} onSubmitted={props.onChanged} onAuthLost={props.onAuthLost} />
        )}
      </div>
    </article>
  );
}

/** Uploading a drive log, then each of the owner's logs with its lines, its drive and its review. */
export function DriveLogsSection(props: {
  logs: OwnList<SensorImport>;
  devices: OwnList<SensorDevice>;
  onAuthLost: () => void;
}) {
  const { logs, devices, onAuthLost } = props;
  const [fresh, setFresh] = useState('');
  const [notice, setNotice] = useState('');
  const byId = new Map(devices.items.map((device) => [device.id, device]));

  return (
    <>
      <UploadLog
        devices={devices.items}
        onAuthLost={onAuthLost}
        onImported={(item) => {
          logs.put(item);
          setFresh(item.id);
          setNotice(t.upload.done(item.file_name, item.accepted, item.rejected));
          // A log naming a new serial registers its device on the way.
          if (!byId.has(item.device_id)) devices.reload();
        }}
      />
      <OwnListSection
        headingId="logs-heading"
        heading={texts.heading}
        empty={texts.empty}
        list={logs}
        notice={notice}
        onNoticeCleared={() => setNotice('')}
      >
        {logs.items.map((item) => (
          <ImportCard
            key={item.id}
            item={item}
            device={byId.get(item.device_id)}
            fresh={item.id === fresh}
            onAuthLost={onAuthLost}
            onChanged={(changed, text) => {
              logs.put(changed);
              setNotice(text);
            }}
          />
        ))}
      </OwnListSection>
    </>
  );
}
