import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { MirrorBanner } from '../shared/badges';
import { checkpointSize } from '../shared/ledger';
import type { LedgerKey, SiteConfig } from '../types';
import { t } from './strings';

function Command({ children }: { children: string }) {
  return (
    <pre class="command">
      <code>{children}</code>
    </pre>
  );
}

function KeyFacts({ keyInfo }: { keyInfo: LedgerKey }) {
  return (
    <dl class="key-facts">
      <dt>{t.origin}</dt>
      <dd>
        <code>{keyInfo.origin}</code>
      </dd>
      <dt>{t.algorithm}</dt>
      <dd>{keyInfo.algorithm}</dd>
      {keyInfo.key_name !== keyInfo.origin && (
        <>
          <dt>{t.keyName}</dt>
          <dd>
            <code>{keyInfo.key_name}</code>
          </dd>
        </>
      )}
      <dt>{t.keyId}</dt>
      <dd>
        <code>{keyInfo.key_id}</code>
      </dd>
      <dt>{t.publicKey}</dt>
      <dd>
        <code>{keyInfo.public_key}</code>
      </dd>
      <dt>{t.verifierKey}</dt>
      <dd>
        <code class="verifier-key">{keyInfo.verifier_key}</code>
      </dd>
    </dl>
  );
}

function App() {
  const [config, setConfig] = useState<SiteConfig | null>(null);
  const [configFailed, setConfigFailed] = useState(false);
  const [keyInfo, setKeyInfo] = useState<LedgerKey | null>(null);
  const [keyError, setKeyError] = useState('');
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState('');
  const [loadingNote, setLoadingNote] = useState(false);
  const base = location.origin;

  useEffect(() => {
    api
      .get<SiteConfig>('/api/v1/config')
      .then(setConfig)
      .catch(() => setConfigFailed(true));
    api
      .get<LedgerKey>('/api/v1/ledger/key')
      .then(setKeyInfo)
      .catch((error: unknown) => setKeyError(`${t.keyError} ${errorMessage(error, t)}`));
  }, []);

  const loadCheckpoint = useCallback(() => {
    setLoadingNote(true);
    setNoteError('');
    api
      .get<string>('/api/v1/ledger/checkpoint')
      .then((text) => setNote(String(text)))
      .catch((error: unknown) => setNoteError(`${t.checkpointError} ${errorMessage(error, t)}`))
      .finally(() => setLoadingNote(false));
  }, []);
  useEffect(() => loadCheckpoint(), [loadCheckpoint]);

  const name = config?.name ?? document.querySelector('.site-header .brand')?.textContent ?? 'Tally';
  useEffect(() => {
    if (!config) return;
    document.title = t.pageTitle(config.name);
    const brand = document.querySelector('.site-header .brand');
    if (brand) brand.textContent = config.name;
    const banner = document.getElementById('banner');
    if (banner) render(<MirrorBanner mirror={config.mirror_of} />, banner);
  }, [config]);

  const size = checkpointSize(note);
  const end = Math.max(1, Math.min(size ?? 1, 1000));
  const keyName = keyInfo?.key_name ?? keyInfo?.origin ?? 'key name';

  return (
    <>
      <h1>{t.heading(name)}</h1>
      <p class="lead">{t.lead(name)}</p>

      <section aria-labelledby="data-heading">
        <h2 id="data-heading">{t.dataHeading}</h2>
        {config?.license?.name ? (
          <p>
            {t.license}{' '}
            {config.license.url ? (
              <a href={config.license.url} rel="license">
                {config.license.name}
              </a>
            ) : (
              config.license.name
            )}
            .
          </p>
        ) : (
          configFailed && <p class="notice notice-warning">{t.noLicense}</p>
        )}
        <p>
          {t.downloads} <a href="/api/v1/exports/reports.csv">CSV</a>,{' '}
          <a href="/api/v1/exports/reports.geojson">GeoJSON</a> or{' '}
          <a href="/api/v1/exports/reports.kml">KML</a>. {t.apiDocs} <a href="/api/docs">/api/docs</a>.
        </p>
      </section>

      <section aria-labelledby="record-heading">
        <h2 id="record-heading">{t.recordHeading}</h2>
        <p>{t.recordLead}</p>
        {keyError && <p class="notice notice-error">{keyError}</p>}
        {keyInfo ? <KeyFacts keyInfo={keyInfo} /> : !keyError && <p class="muted">{t.loading}</p>}
      </section>

      <section aria-labelledby="checkpoint-heading">
        <h2 id="checkpoint-heading">{t.checkpointHeading}</h2>
        {noteError && <p class="notice notice-error">{noteError}</p>}
        {note && (
          <>
            {size !== null && (
              <p class="tree-size" aria-live="polite">
                {t.treeSize(size)}
              </p>
            )}
            <p>{t.checkpointLead}</p>
            <pre class="checkpoint">{note}</pre>
          </>
        )}
        <button type="button" class="secondary" onClick={loadCheckpoint} disabled={loadingNote}>
          {loadingNote ? t.loading : t.refresh}
        </button>
      </section>

      <section id="verify" aria-labelledby="verify-heading">
        <h2 id="verify-heading">{t.verifyHeading}</h2>
        <p>{t.verifyLead}</p>
        <ol class="steps">
          <li>
            <p>{t.steps.key}</p>
            <Command>{`curl -s ${base}/api/v1/ledger/key`}</Command>
          </li>
          <li>
            <p>{t.steps.checkpoint}</p>
            <Command>{`curl -s ${base}/api/v1/ledger/checkpoint`}</Command>
            <p>
              {t.steps.keyIdBefore}
              <code>{keyName}</code>
              {t.steps.keyIdAfter}
            </p>
          </li>
          <li>
            <p>{t.steps.entries}</p>
            <Command>{`curl -s '${base}/api/v1/ledger/entries?start=0&end=${end}'`}</Command>
            <p>{t.steps.content}</p>
          </li>
          <li>
            <p>{t.steps.tree}</p>
          </li>
          <li>
            <p>{t.steps.consistency}</p>
            <Command>{`curl -s '${base}/api/v1/ledger/proofs/consistency?first=OLD_SIZE&second=${size ?? 'NEW_SIZE'}'`}</Command>
            <p>{t.steps.inclusion}</p>
            <Command>{`curl -s '${base}/api/v1/ledger/proofs/inclusion?index=0&tree_size=${size ?? 'SIZE'}'`}</Command>
          </li>
          <li>
            <p>{t.steps.tools}</p>
            <Command>{`tally mirror ${base}\ntally ledger verify`}</Command>
          </li>
        </ol>
      </section>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
