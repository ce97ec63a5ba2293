/** What a drive-log import holds, shown alike to its owner and to the volunteers who review it. */
import { formatTimeSpan } from './format';
import type { ImportStatus, RejectedLine, SensorImport } from './sensor-import';
import { shared } from './strings';
import './drive-log.css';

const texts = shared.driveLog;

export function ImportStatusChip({ status }: { status: ImportStatus }) {
  return <span class={`chip chip-status chip-import-${status}`}>{texts.status[status]}</span>;
}

function Counts({ item }: { item: SensorImport }) {
  return (
    <dl class="drive-log-counts">
      <div>
        <dt>{texts.lines}</dt>
        <dd>{item.lines}</dd>
      </div>
      <div>
        <dt>{texts.accepted}</dt>
        <dd>{item.accepted}</dd>
      </div>
      <div>
        <dt>{texts.duplicates}</dt>
        <dd>{item.duplicates}</dd>
      </div>
      <div class={item.rejected > 0 ? 'has-rejected' : undefined}>
        <dt>{texts.rejected}</dt>
        <dd>{item.rejected}</dd>
      </div>
    </dl>
  );
}

/** Counts per minute as a dose rate, when the device's factor is known; three figures are enough to judge. */
function doseRate(cpm: number, cpmPerUnit: number): string {
  return (cpm / cpmPerUnit).toPrecision(3);
}

function Summary({ item, cpmPerUnit }: { item: SensorImport; cpmPerUnit: number | null | undefined }) {
  const { min_cpm, max_cpm, gps_fix_share, first_captured_at, last_captured_at } = item.summary;
  const minutes =
    first_captured_at && last_captured_at
      ? Math.round((Date.parse(last_captured_at) - Date.parse(first_captured_at)) / 60_000)
      : null;
  return (
    <dl class="facts">
      <dt>{texts.timeSpan}</dt>
      <dd>
        {first_captured_at && last_captured_at
          ? `${formatTimeSpan(first_captured_at, last_captured_at)} (${texts.duration(minutes ?? 0)})`
          : texts.none}
      </dd>
      <dt>{texts.cpmRange}</dt>
      <dd>
        {min_cpm !== null && max_cpm !== null ? (
          <>
            {texts.cpm(min_cpm, max_cpm)}
            {cpmPerUnit ? (
              <span class="muted">
                {' '}
                ({texts.doseRate(doseRate(min_cpm, cpmPerUnit), doseRate(max_cpm, cpmPerUnit))})
              </span>
            ) : null}
          </>
        ) : (
          texts.none
        )}
      </dd>
      <dt>{texts.gpsFix}</dt>
      <dd>{texts.percent(gps_fix_share)}</dd>
    </dl>
  );
}

export function RejectedLines({ lines, total }: { lines: RejectedLine[]; total: number }) {
  if (lines.length === 0) return null;
  return (
    <div class="rejected-lines">
      <table>
        <caption>{texts.rejectedCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{texts.lineNumber}</th>
            <th scope="col">{texts.reason}</th>
            <th scope="col">{texts.text}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.line}>
              <th scope="row">{line.line}</th>
              <td>{line.reason}</td>
              <td>
                <code>{line.text}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > lines.length && <p class="muted">{texts.rejectedShown(lines.length, total)}</p>}
    </div>
  );
}

/** The counts, the drive's time span, range and GPS coverage, and the lines left out with their reasons. */
export function DriveLogReport(props: { item: SensorImport; cpmPerUnit?: number | null }) {
  const { item } = props;
  return (
    <div class="drive-log-report">
      <Counts item={item} />
      <Summary item={item} cpmPerUnit={props.cpmPerUnit} />
      <RejectedLines lines={item.rejected_lines} total={item.rejected} />
    </div>
  );
}
