import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatCoordinate, formatDateTime } from '../shared/format';
import { deviceUrl, type Position, type SensorDevice } from '../shared/sensor-device';
import { ConfirmedAction } from './confirmed-action';
import { TokenNotice } from './device-token';
import { OwnListSection } from './own-list-section';
import { RegisterDevice, type Registered } from './register-device';
import { t } from './strings';
import type { OwnList } from './use-own-list';

const texts = t.devices;

function place(position: Position): string {
  return `${formatCoordinate(position.lat)}, ${formatCoordinate(position.lon)}`;
}

function publicPlace(device: SensorDevice): string {
  if (device.mobility === 'mobile' || !device.location) return texts.moves;
  return device.location_precision === 'exact'
    ? texts.exactlyAt(place(device.location))
    : texts.coarselyAt(place(device.location));
}

function DeviceFacts({ device }: { device: SensorDevice }) {
  return (
    <dl class="facts">
      <dt>{texts.model}</dt>
      <dd>{device.model}</dd>
      <dt>{texts.sensor}</dt>
      <dd>{device.sensor}</dd>
      {device.cpm_per_unit !== null ? (
        <>
          <dt>{texts.factor}</dt>
          <dd>{texts.factorValue(device.cpm_per_unit)}</dd>
        </>
      ) : (
        <>
          <dt>{texts.measures}</dt>
          <dd>
            {device.quantity} ({device.unit})
          </dd>
        </>
      )}
      <dt>{texts.publicPlace}</dt>
      <dd>{publicPlace(device)}</dd>
      <dt>{texts.lastReading}</dt>
      <dd>{formatDateTime(device.last_reading_at) || texts.noReading}</dd>
      {device.network && (
        <>
          <dt>{texts.network}</dt>
          <dd>
            {device.network} <code>{device.external_id}</code>
          </dd>
        </>
      )}
      {device.serial && (
        <>
          <dt>{texts.serial}</dt>
          <dd>
            <code>{device.serial}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

function DeviceCard(props: {
  device: SensorDevice;
  token: string | undefined;
  onToken: (token: string | undefined) => void;
  onAuthLost: () => void;
}) {
  const { device, token } = props;
  const headingId = `device-${device.id}`;
  return (
    <article class="card" aria-labelledby={headingId}>
      <header class="card-head">
        <h3 id={headingId}>{device.name}</h3>
        <span class="chip chip-status">{texts.mobility[device.mobility]}</span>
      </header>
      <DeviceFacts device={device} />
      {token ? (
        <TokenNotice device={device} token={token} onDone={() => props.onToken(undefined)} />
      ) : (
        <ConfirmedAction
          texts={{
            label: texts.newToken,
            accessibleLabel: texts.newTokenFor(device.name),
            warning: texts.newTokenWarning,
            confirm: texts.confirmNewToken,
            cancel: texts.cancel,
          }}
          act={async () => props.onToken((await api.post<Registered>(deviceUrl(device.id, 'token'))).token)}
          onAuthLost={props.onAuthLost}
        />
      )}
    </article>
  );
}

/** The owner's devices, each with a way to replace its token, and the form to register another. */
export function DevicesSection(props: { own: OwnList<SensorDevice>; onAuthLost: () => void }) {
  const { own, onAuthLost } = props;
  // Tokens live only here, in memory, until their owner says they copied them.
  const [tokens, setTokens] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState('');
  const setToken = (id: string, token: string | undefined) =>
    setTokens(({ [id]: _old, ...others }) => (token ? { ...others, [id]: token } : others));

  return (
    <OwnListSection
      headingId="devices-heading"
      heading={texts.heading}
      empty={texts.empty}
      list={own}
      notice={notice}
      onNoticeCleared={() => setNotice('')}
    >
      {own.items.map((device) => (
        <DeviceCard
          key={device.id}
          device={device}
          token={tokens[device.id]}
          onToken={(token) => setToken(device.id, token)}
          onAuthLost={onAuthLost}
        />
      ))}
      <RegisterDevice
        onAuthLost={onAuthLost}
        onRegistered={({ device, token }) => {
          own.put(device);
          setToken(device.id, token);
          setNotice(t.register.registered(device.name));
        }}
      />
    </OwnListSection>
  );
}
