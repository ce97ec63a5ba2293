import { useState } from 'preact/hooks';
import { ApiError, api, errorMessage } from '../api';
import { type ImportMetadata, importUrl, type SensorImport } from '../shared/sensor-import';
import { shared } from '../shared/strings';
import { TextField } from './form-fields';
import { t } from './strings';

const texts = t.submit;

interface MetadataDraft {
  name: string;
  description: string;
  cities: string;
  credits: string;
  height: string;
  orientation: string;
}

const emptyDraft: MetadataDraft = {
  name: '',
  description: '',
  cities: '',
  credits: '',
  height: '',
  orientation: '',
};

/** Safecast's description of a drive, leaving out what was not filled in. */
function metadataOf(draft: MetadataDraft): { metadata: ImportMetadata } | { errors: Partial<MetadataDraft> } {
  const errors: Partial<MetadataDraft> = {};
  const metadata: ImportMetadata = {};
  const name = draft.name.trim();
  if (name) metadata.name = name;
  else errors.name = texts.nameRequired;
  for (const key of ['description', 'cities', 'credits', 'orientation'] as const) {
    const value = draft[key].trim();
    if (value) metadata[key] = value;
  }
  if (draft.height.trim()) {
    const height = Number(draft.height);
    if (Number.isFinite(height) && height >= 0) metadata.height = height;
    else errors.height = texts.badHeight;
  }
  return Object.keys(errors).length > 0 ? { errors } : { metadata };
}

/** The owner says what the drive was, and sends it to the volunteers (or past them, by the deployment's rules). */
export function SubmitLog(props: {
  item: SensorImport;
  onSubmitted: (item: SensorImport, notice: string) => void;
  onAuthLost: () => void;
}) {
  const { item } = props;
  const [draft, setDraft] = useState<MetadataDraft>(emptyDraft);
  const [errors, setErrors] = useState<Partial<MetadataDraft>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `submit-${item.id}`;
  const field = (key: keyof MetadataDraft) => ({
    id: `${id}-${key}`,
    value: draft[key],
    onValue: (value: string) => setDraft((previous) => ({ ...previous, [key]: value })),
    error: errors[key],
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    const made = metadataOf(draft);
    if ('errors' in made) {
      setErrors(made.errors);
      document.getElementById(`${id}-${made.errors.name ? 'name' : 'height'}`)?.focus();
      return;
    }
    setErrors({});
    setError('');
    setBusy(true);
    try {
      const submitted = await api.post<SensorImport>(importUrl(item.id, 'submit'), made.metadata);
      const name = made.metadata.name ?? item.file_name;
      props.onSubmitted(
        submitted,
        submitted.status === 'approved' ? texts.autoApproved(name) : texts.submitted(name),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return props.onAuthLost();
      setError(errorMessage(err, shared.errors));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="submit-log"
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(event) => void submit(event)}
    >
      <h4 id={`${id}-heading`}>{texts.heading}</h4>
      <p class="hint">{texts.lead}</p>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <TextField label={texts.name} hint={texts.nameHint} required {...field('name')} />
      <TextField
        label={texts.description}
        hint={texts.descriptionHint}
        optional
        multiline
        {...field('description')}
      />
      <TextField label={texts.cities} hint={texts.citiesHint} optional {...field('cities')} />
      <TextField label={texts.credits} hint={texts.creditsHint} optional {...field('credits')} />
      <div class="row">
        <TextField
          label={texts.height}
          hint={texts.heightHint}
          optional
          type="number"
          min={0}
          step="any"
          inputMode="decimal"
          {...field('height')}
        />
        <TextField
          label={texts.orientation}
          hint={texts.orientationHint}
          optional
          {...field('orientation')}
        />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? texts.sending : texts.send}
      </button>
    </form>
  );
}
