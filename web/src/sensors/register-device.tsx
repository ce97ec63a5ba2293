import { useState } from 'preact/hooks';
import { api } from '../api';
import type { SensorDevice } from '../shared/sensor-device';
import {
  type DeviceDraft,
  type DraftErrors,
  deviceBody,
  emptyDraft,
  fieldOfPointer,
  withPreset,
} from './device-draft';
import {
  type DevicePreset,
  type PayloadFormat,
  payloadFormats,
  presetById,
  presets,
  type Quantity,
  quantities,
} from './device-presets';
import { RadioGroup, TextField } from './form-fields';
import { t } from './strings';
import { fieldErrorsOf, useCheckedForm } from './use-checked-form';

const texts = t.register;

export interface Registered {
  device: SensorDevice;
  token: string;
}

type Change = (change: Partial<DeviceDraft>) => void;

/** Where a fixed device stands, and whether the public may see the very spot. */
function PlaceFields(props: { draft: DeviceDraft; error: string | undefined; set: Change }) {
  const { draft, error, set } = props;
  return (
    <>
      <fieldset>
        <legend>{texts.where}</legend>
        <div class="row">
          <TextField
            id="device-lat"
            label={texts.lat}
            type="number"
            step="any"
            min={-90}
            max={90}
            inputMode="decimal"
            value={draft.lat}
            onValue={(lat) => set({ lat })}
            error={error}
          />
          <TextField
            id="device-lon"
            label={texts.lon}
            type="number"
            step="any"
            min={-180}
            max={180}
            inputMode="decimal"
            value={draft.lon}
            onValue={(lon) => set({ lon })}
          />
        </div>
      </fieldset>
      <RadioGroup
        name="device-precision"
        legend={texts.precision}
        value={draft.precision}
        onValue={(precision) => set({ precision })}
        choices={(['coarse', 'exact'] as const).map((value) => ({ value, ...texts.precisions[value] }))}
      />
    </>
  );
}

/** Its id on The Things Network or Sensor.Community, by which its readings are recognised. */
function NetworkFields(props: {
  preset: DevicePreset;
  draft: DeviceDraft;
  error: string | undefined;
  set: Change;
}) {
  const { preset, draft, set } = props;
  if (!preset.network) return null;
  return (
    <>
      <TextField
        id="device-external-id"
        label={texts.externalId[preset.network]}
        hint={texts.externalIdHint[preset.network]}
        value={draft.externalId}
        onValue={(externalId) => set({ externalId })}
        error={props.error}
        autocomplete="off"
        spellcheck={false}
      />
      {preset.network === 'ttn' && (
        <div class="field">
          <label for="device-payload">{texts.payloadFormat}</label>
          <select
            id="device-payload"
            value={draft.payloadFormat}
            onChange={(e) => set({ payloadFormat: e.currentTarget.value as PayloadFormat })}
          >
            {payloadFormats.map((format) => (
              <option key={format} value={format}>
                {texts.payloadFormats[format]}
              </option>
            ))}
          </select>
        </div>
      )}
    </>
  );
}

/** What the device is: model, sensor, what it measures and how its counts become a dose rate. */
function SensorFields(props: { preset: DevicePreset; draft: DeviceDraft; errors: DraftErrors; set: Change }) {
  const { preset, draft, errors, set } = props;
  return (
    <>
      <div class="row">
        <TextField
          id="device-model"
          label={texts.model}
          value={draft.model}
          onValue={(model) => set({ model })}
          error={errors.model}
        />
        <TextField
          id="device-sensor"
          label={texts.sensor}
          value={draft.sensor}
          onValue={(sensor) => set({ sensor })}
          error={errors.sensor}
        />
      </div>
      {preset.open && (
        <div class="field">
          <label for="device-quantity">{texts.quantity}</label>
          <select
            id="device-quantity"
            value={draft.quantity}
            onChange={(e) => set({ quantity: e.currentTarget.value as Quantity })}
          >
            {quantities.map((quantity) => (
              <option key={quantity} value={quantity}>
                {texts.quantities[quantity]}
              </option>
            ))}
          </select>
        </div>
      )}
      {draft.quantity === 'radiation' && (
        <TextField
          id="device-factor"
          label={texts.factor}
          hint={texts.factorHint}
          type="number"
          step="any"
          min={0}
          inputMode="decimal"
          optional
          value={draft.cpmPerUnit}
          onValue={(cpmPerUnit) => set({ cpmPerUnit })}
          error={errors.cpmPerUnit}
        />
      )}
      {preset.asksSerial && (
        <TextField
          id="device-serial"
          label={texts.serial}
          hint={texts.serialHint}
          optional
          inputMode="numeric"
          autocomplete="off"
          value={draft.serial}
          onValue={(serial) => set({ serial })}
        />
      )}
    </>
  );
}

/** Registering a device: pick its kind, and the form asks for what that kind needs. */
export function RegisterDevice(props: {
  onRegistered: (registered: Registered) => void;
  onAuthLost: () => void;
}) {
  const [draft, setDraft] = useState<DeviceDraft>(() => emptyDraft());
  const { form, errors, error, busy, showErrors, clearErrors, send } = useCheckedForm(
    (err) => fieldErrorsOf(err, fieldOfPointer),
    props.onAuthLost,
  );
  const preset = presetById(draft.preset);
  const set: Change = (change) => setDraft((previous) => ({ ...previous, ...change }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const made = deviceBody(draft);
    if ('errors' in made) {
      showErrors(made.errors, texts.fixErrors);
      return;
    }
    await send(async () => {
      const registered = await api.post<Registered>('/api/v1/sensors/devices', made.body);
      setDraft(emptyDraft(preset));
      props.onRegistered(registered);
    });
  };

  return (
    <section class="card register-device" aria-labelledby="register-heading">
      <h2 id="register-heading">{texts.heading}</h2>
      <form ref={form} noValidate onSubmit={(event) => void submit(event)}>
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <RadioGroup
          name="device-kind"
          legend={texts.kind}
          value={draft.preset}
          onValue={(id) => {
            clearErrors();
            setDraft(withPreset(draft, presetById(id)));
          }}
          choices={presets.map((p) => ({ value: p.id, ...texts.presets[p.id] }))}
        />
        <TextField
          id="device-name"
          label={texts.name}
          hint={texts.nameHint}
          value={draft.name}
          onValue={(name) => set({ name })}
          error={errors.name}
          required
        />
        <SensorFields preset={preset} draft={draft} errors={errors} set={set} />
        {preset.open && (
          <RadioGroup
            name="device-mobility"
            legend={texts.mobility}
            value={draft.mobility}
            onValue={(mobility) => set({ mobility })}
            choices={(['fixed', 'mobile'] as const).map((value) => ({ value, ...texts.mobilities[value] }))}
          />
        )}
        {draft.mobility === 'fixed' && <PlaceFields draft={draft} error={errors.lat} set={set} />}
        <NetworkFields preset={preset} draft={draft} error={errors.externalId} set={set} />
        <button type="submit" disabled={busy}>
          {busy ? texts.submitting : texts.submit}
        </button>
      </form>
    </section>
  );
}
