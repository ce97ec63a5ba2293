import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { SensorDevice } from '../shared/sensor-device';
import type { SensorImport } from '../shared/sensor-import';
import { type Session, SessionBar, SignedIn } from '../shared/session';
import { DevicesSection } from './devices';
import { DriveLogsSection } from './drive-logs';
import { FeedsSection, type FeedView } from './feeds';
import { t } from './strings';
import { useOwnList } from './use-own-list';

type Section = 'devices' | 'driveLogs' | 'feeds';
const SECTIONS: Section[] = ['devices', 'driveLogs', 'feeds'];

/** A sensor owner's page: their devices, drive logs and network feeds. Any account may own devices. */
function SensorOwnerPage({ session }: { session: Session }) {
  const [section, setSection] = useState<Section>('devices');
  const devices = useOwnList<SensorDevice>('/api/v1/sensors/devices', session.authLost);
  const logs = useOwnList<SensorImport>('/api/v1/sensors/imports', session.authLost);
  const feeds = useOwnList<FeedView>('/api/v1/sensors/feeds', session.authLost);
  return (
    <>
      <h1>{t.heading}</h1>
      <SessionBar session={session} />
      <nav class="sections" aria-label={t.sectionsLabel}>
        {SECTIONS.map((name) => (
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
      {/* All stay mounted, so a token not yet copied or a form half filled survives a look at the other. */}
      <div hidden={section !== 'devices'}>
        <DevicesSection own={devices} onAuthLost={session.authLost} />
      </div>
      <div hidden={section !== 'driveLogs'}>
        <DriveLogsSection logs={logs} devices={devices} onAuthLost={session.authLost} />
      </div>
      <div hidden={section !== 'feeds'}>
        <FeedsSection own={feeds} onAuthLost={session.authLost} />
      </div>
    </>
  );
}

render(
  <SignedIn heading={t.loginHeading} lead={t.loginLead}>
    {(session) => <SensorOwnerPage session={session} />}
  </SignedIn>,
  document.getElementById('app') as HTMLElement,
);
