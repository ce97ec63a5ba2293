/**
 * Progressive enhancement of the report form. Without this script the form posts to /report and the server
 * answers with a page; with it, the report goes to the JSON API, and is kept on the device when offline.
 */
import { ApiError, api, NetworkError } from '../api';
import { isoToLocalInput } from '../shared/format';
import type { Place, Report, SiteConfig } from '../types';
import type { Picker } from './map-picker';
import { type FormValues, fieldFor, type ReportBody, toBody } from './payload';
import { enhancePlaceInput, placeLabel } from './places';
import { dequeue, enqueue, exclusively, newKey, type QueuedReport, readQueue } from './queue';
import { t } from './strings';

const form = document.getElementById('report-form') as HTMLFormElement;
const statusBox = document.getElementById('form-status') as HTMLElement;
const queueBox = document.getElementById('queue-status') as HTMLElement;
const submitButton = document.getElementById('submit') as HTMLButtonElement;
const select = document.getElementById('category') as HTMLSelectElement;
const latInput = document.getElementById('lat') as HTMLInputElement;
const lonInput = document.getElementById('lon') as HTMLInputElement;
const placeInput = document.getElementById('location_name') as HTMLInputElement;
const sensitiveBox = document.getElementById('sensitivity') as HTMLInputElement;
const toolsStatus = document.getElementById('location-tools-status') as HTMLElement;
const pickerBox = document.getElementById('picker') as HTMLElement;
const pickButton = document.getElementById('pick-on-map') as HTMLButtonElement;
const locateButton = document.getElementById('use-location') as HTMLButtonElement;

const TEXT_FIELDS = [
  'title',
  'description',
  'occurred_at',
  'location_name',
  'lat',
  'lon',
  'author_name',
  'contact',
] as const;
const ERROR_FIELDS = [...TEXT_FIELDS, 'category'] as const;

let picker: Picker | undefined;
/** How precise the coordinates are, when they came from the device; forgotten as soon as they change. */
let accuracy: number | undefined;
let pickerLoading = false;
let configPromise: Promise<SiteConfig | undefined> | undefined;

function control(name: string): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null {
  return document.getElementById(name) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null;
}

/* ---------- Messages ---------- */

function notice(kind: 'success' | 'error' | 'info' | 'warning', lines: (string | Node)[]): HTMLElement {
  const box = document.createElement('div');
  box.className = `notice notice-${kind}`;
  for (const line of lines) {
    const p = document.createElement('p');
    p.append(line);
    box.append(p);
  }
  return box;
}

function showStatus(box: HTMLElement | null, focus = false): void {
  statusBox.replaceChildren(...(box ? [box] : []));
  if (box && focus) {
    box.tabIndex = -1;
    box.focus();
    box.scrollIntoView({ block: 'nearest' });
  }
}

function clearErrors(): void {
  for (const name of ERROR_FIELDS) {
    const message = document.getElementById(`${name}-error`);
    if (message) message.textContent = '';
    control(name)?.removeAttribute('aria-invalid');
  }
}

/** Shows the message under its field; returns false when no field on the form matches. */
function setFieldError(name: string, message: string): boolean {
  const box = document.getElementById(`${name}-error`);
  if (!box) return false;
  box.textContent = box.textContent ? `${box.textContent} ${message}` : message;
  control(name)?.setAttribute('aria-invalid', 'true');
  return true;
}

function focusFirstError(): void {
  for (const name of ERROR_FIELDS) {
    const field = control(name);
    if (field?.getAttribute('aria-invalid') === 'true') {
      const target =
        field.hidden || field.style.display === 'none'
          ? document.querySelector<HTMLElement>('.checks input')
          : field;
      target?.focus();
      return;
    }
  }
}

/** Puts an API refusal next to the fields it names; anything else goes in the message at the top. */
function showApiError(error: ApiError, prefix?: string): void {
  const unplaced: string[] = [];
  for (const item of error.fieldErrors) {
    const name = fieldFor(item.field);
    if (!name || !setFieldError(name, item.message)) unplaced.push(item.message);
  }
  const lines = [
    ...(prefix ? [prefix] : []),
    error.fieldErrors.length > 0 && unplaced.length < error.fieldErrors.length ? t.fixErrors : error.message,
    ...unplaced,
  ];
  showStatus(notice('error', lines), true);
  focusFirstError();
}

/* ---------- Form values ---------- */

function readValues(): FormValues {
  const value = (name: string) => control(name)?.value ?? '';
  return {
    title: value('title'),
    description: value('description'),
    categories: Array.from(select.selectedOptions, (o) => o.value),
    occurred_at: value('occurred_at'),
    location_name: value('location_name'),
    lat: value('lat'),
    lon: value('lon'),
    author_name: value('author_name'),
    contact: value('contact'),
    ...(sensitiveBox.checked ? { sensitive: true } : {}),
    ...(accuracy !== undefined ? { accuracy_m: accuracy } : {}),
  };
}

function writeValues(values: FormValues): void {
  for (const name of TEXT_FIELDS) {
    const field = control(name);
    if (field) field.value = values[name];
  }
  accuracy = values.accuracy_m;
  sensitiveBox.checked = values.sensitive === true;
  for (const option of Array.from(select.options)) option.selected = values.categories.includes(option.value);
  select.dispatchEvent(new Event('change'));
  syncPickerFromInputs();
}

function isFormEmpty(): boolean {
  const values = readValues();
  return TEXT_FIELDS.every((name) => values[name].trim() === '') && values.categories.length === 0;
}

function validate(values: FormValues): boolean {
  let ok = true;
  const fail = (name: string, message: string) => {
    setFieldError(name, message);
    ok = false;
  };
  if (!values.title.trim()) fail('title', t.titleRequired);
  const hasLat = values.lat.trim() !== '';
  const hasLon = values.lon.trim() !== '';
  const lat = Number(values.lat);
  const lon = Number(values.lon);
  if (hasLat && !(Number.isFinite(lat) && lat >= -90 && lat <= 90)) fail('lat', t.latRange);
  if (hasLon && !(Number.isFinite(lon) && lon >= -180 && lon <= 180)) fail('lon', t.lonRange);
  if (hasLat !== hasLon) fail(hasLat ? 'lon' : 'lat', t.bothCoordinates);
  if (values.occurred_at && new Date(values.occurred_at).getTime() > Date.now() + 5 * 60_000) {
    fail('occurred_at', t.occurredFuture);
  }
  return ok;
}

/* ---------- Sending ---------- */

/** Answers that mean "not now" rather than "not this": the report is kept and sent again later. */
function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof ApiError && [408, 429, 502, 503, 504].includes(error.status);
}

function sendReport(body: ReportBody, key: string): Promise<Report> {
  return api.post<Report>('/api/v1/reports', body, { 'Idempotency-Key': key, 'X-Tally-Client': 'web' });
}

function successNotice(report: Report, title?: string): HTMLElement {
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = t.seeMap;
  const lines: (string | Node)[] = title
    ? [t.queueSent(title, String(report.id))]
    : [
        t.sentTitle,
        `${t.sentReference(String(report.id))} ${report.status === 'published' ? t.sentPublished : t.sentPending}`,
      ];
  lines.push(link);
  return notice('success', lines);
}

function resetForm(): void {
  form.reset();
  accuracy = undefined;
  select.dispatchEvent(new Event('change'));
  picker?.destroy();
  picker = undefined;
  closePicker();
}

async function onSubmit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  clearErrors();
  const values = readValues();
  if (!validate(values)) {
    showStatus(notice('error', [t.fixErrors]), true);
    focusFirstError();
    return;
  }
  const item: QueuedReport = {
    key: newKey(),
    saved_at: new Date().toISOString(),
    body: toBody(values),
    values,
  };

  submitButton.disabled = true;
  submitButton.textContent = t.sending;
  try {
    const report = await sendReport(item.body, item.key);
    resetForm();
    showStatus(successNotice(report), true);
  } catch (error) {
    if (isTransient(error)) {
      if (enqueue(item)) {
        resetForm();
        const kind = error instanceof ApiError && error.status === 429 ? t.tooMany : t.savedOffline;
        showStatus(notice('info', [kind, t.savedOfflineHint]), true);
        renderQueue();
      } else {
        showStatus(notice('error', [t.serverError]), true);
      }
    } else if (error instanceof ApiError) {
      showApiError(error);
    } else {
      showStatus(notice('error', [t.serverError]), true);
    }
  } finally {
    submitButton.disabled = false;
    submitButton.textContent = t.send;
  }
}

/* ---------- The offline queue ---------- */

let flushing = false;

/** Puts a report the server refused back into the form, with the server's reasons next to the fields. */
function restore(item: QueuedReport, error: unknown): void {
  writeValues(item.values);
  clearErrors();
  if (error instanceof ApiError) showApiError(error, t.queueRejected(item.body.title));
  else showStatus(notice('error', [t.queueRejected(item.body.title)]), true);
}

function renderQueue(): void {
  const count = readQueue().length;
  if (count === 0) {
    queueBox.hidden = true;
    queueBox.replaceChildren();
    return;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = t.queueSendNow;
  button.addEventListener('click', () => void flushQueue());
  const box = notice('warning', [t.queueWaiting(count)]);
  box.append(button);
  queueBox.replaceChildren(box);
  queueBox.hidden = false;
}

async function flushQueue(): Promise<void> {
  if (flushing || readQueue().length === 0) return;
  flushing = true;
  try {
    await exclusively(async () => {
      // Read again inside the lock: another tab may have sent some meanwhile.
      for (const item of readQueue()) {
        try {
          const report = await sendReport(item.body, item.key);
          dequeue(item.key);
          // "Saved on this device" is no longer true for it.
          for (const stale of statusBox.querySelectorAll('.notice-info')) stale.remove();
          statusBox.append(successNotice(report, item.body.title));
        } catch (error) {
          // A server fault is not the report's fault: keep it and try again later.
          if (isTransient(error) || (error instanceof ApiError && error.status >= 500)) break;
          if (error instanceof ApiError && isFormEmpty()) {
            dequeue(item.key);
            restore(item, error);
            continue;
          }
          // The form is in use: keep the refused report and let the reporter open it when ready.
          const open = document.createElement('button');
          open.type = 'button';
          open.className = 'secondary';
          open.textContent = t.queueOpen;
          const box = notice('error', [t.queueRefused(item.body.title)]);
          box.append(open);
          open.addEventListener('click', () => {
            box.remove();
            dequeue(item.key);
            restore(item, error);
            renderQueue();
          });
          statusBox.append(box);
          break;
        }
      }
    });
  } finally {
    flushing = false;
    renderQueue();
  }
}

/* ---------- Categories as checkboxes ---------- */

function enhanceCategories(): void {
  const field = document.getElementById('category-field') as HTMLElement;
  const options = Array.from(select.options);
  if (options.length === 0) {
    field.hidden = true;
    return;
  }
  const group = document.createElement('div');
  group.className = 'checks';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-labelledby', 'category-label');
  const label = field.querySelector('label');
  if (label) {
    label.id = 'category-label';
    label.removeAttribute('for');
  }
  const hint = document.getElementById('category-hint');
  if (hint) hint.textContent = t.categoryHint;
  const boxes = options.map((option, i) => {
    const wrap = document.createElement('label');
    wrap.className = 'check';
    // The server indents subcategories with two no-break spaces per level.
    const depth = Math.floor((/^\u00a0*/.exec(option.textContent ?? '')?.[0].length ?? 0) / 2);
    if (depth > 0) wrap.style.marginLeft = `${depth * 1.5}rem`;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `category-${i}`;
    box.value = option.value;
    box.addEventListener('change', () => {
      option.selected = box.checked;
    });
    wrap.append(box, ` ${option.textContent?.trim() ?? ''}`);
    group.append(wrap);
    return box;
  });
  select.addEventListener('change', () => {
    options.forEach((option, i) => {
      const box = boxes[i];
      if (box) box.checked = option.selected;
    });
  });
  select.hidden = true;
  select.insertAdjacentElement('afterend', group);
}

/* ---------- Location tools ---------- */

function loadConfig(): Promise<SiteConfig | undefined> {
  configPromise ??= api.get<SiteConfig>('/api/v1/config').catch(() => undefined);
  return configPromise;
}

function setCoordinates(lat: number, lon: number, metres?: number): void {
  accuracy = metres;
  latInput.value = String(lat);
  lonInput.value = String(lon);
  for (const name of ['lat', 'lon']) {
    control(name)?.removeAttribute('aria-invalid');
    const box = document.getElementById(`${name}-error`);
    if (box) box.textContent = '';
  }
}

function currentCoordinates(): { lat: number; lon: number } | undefined {
  if (latInput.value === '' || lonInput.value === '') return undefined;
  const lat = Number(latInput.value);
  const lon = Number(lonInput.value);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return undefined;
  return { lat, lon };
}

function syncPickerFromInputs(): void {
  const where = currentCoordinates();
  if (picker && where) picker.setPosition(where.lat, where.lon);
}

function closePicker(): void {
  pickerBox.hidden = true;
  pickButton.setAttribute('aria-expanded', 'false');
  pickButton.textContent = t.pickOnMap;
}

async function togglePicker(): Promise<void> {
  if (!pickerBox.hidden) {
    closePicker();
    return;
  }
  pickerBox.hidden = false;
  pickButton.setAttribute('aria-expanded', 'true');
  pickButton.textContent = t.hideMap;
  if (picker) {
    picker.resize();
    syncPickerFromInputs();
    return;
  }
  if (pickerLoading) return;
  pickerLoading = true;
  toolsStatus.textContent = t.mapLoading;
  try {
    const [{ createPicker }, config] = await Promise.all([import('./map-picker'), loadConfig()]);
    const canvas = document.createElement('div');
    canvas.className = 'picker-map';
    pickerBox.replaceChildren(canvas);
    picker = createPicker(canvas, config, currentCoordinates(), (lat, lon) => {
      setCoordinates(lat, lon);
      toolsStatus.textContent = t.pickedOnMap;
    });
    toolsStatus.textContent = t.mapHelp;
  } catch {
    toolsStatus.textContent = t.mapFailed;
    closePicker();
  } finally {
    pickerLoading = false;
  }
}

function locate(): void {
  toolsStatus.textContent = t.locating;
  locateButton.disabled = true;
  navigator.geolocation.getCurrentPosition(
    (position) => {
      locateButton.disabled = false;
      const round = (n: number) => Math.round(n * 1e6) / 1e6;
      setCoordinates(
        round(position.coords.latitude),
        round(position.coords.longitude),
        position.coords.accuracy,
      );
      syncPickerFromInputs();
      toolsStatus.textContent = t.located(position.coords.accuracy);
    },
    (error) => {
      locateButton.disabled = false;
      toolsStatus.textContent =
        error.code === error.PERMISSION_DENIED ? t.locationDenied : t.locationUnavailable;
    },
    { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
  );
}

/* ---------- Start ---------- */

function start(): void {
  enhanceCategories();
  const occurred = control('occurred_at');
  if (occurred) occurred.setAttribute('max', isoToLocalInput(new Date(Date.now() + 60_000).toISOString()));

  const tools = document.getElementById('location-tools') as HTMLElement;
  tools.hidden = false;
  if (!('geolocation' in navigator)) locateButton.hidden = true;
  locateButton.addEventListener('click', locate);
  pickButton.addEventListener('click', () => void togglePicker());
  for (const input of [latInput, lonInput]) {
    input.addEventListener('input', () => {
      accuracy = undefined;
    });
    input.addEventListener('change', syncPickerFromInputs);
  }

  enhancePlaceInput(placeInput, (place: Place) => {
    placeInput.value = placeLabel(place);
    setCoordinates(place.lat, place.lon);
    syncPickerFromInputs();
  });

  form.addEventListener('submit', (event) => void onSubmit(event));
  window.addEventListener('online', () => void flushQueue());
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key.startsWith('tally.report-queue')) renderQueue();
  });
  renderQueue();
  void flushQueue();
}

start();
