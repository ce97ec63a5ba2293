import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, errorMessage, isAbort, queryString, request } from '../api';
import { MirrorBanner, VerificationBadge } from '../shared/badges';
import { categoryIndex, categoryNames, flattenCategories } from '../shared/categories';
import { formatDateTime } from '../shared/format';
import { reportPageUrl } from '../shared/ledger';
import { type Category, type Page, placeName, type Report, reportLocation, type SiteConfig } from '../types';
import { LayerSwitch } from './layer-switch';
import { layerParams, type MapLayers, readLayers } from './map-layers';
import { ReportLegend } from './report-legend';
import { type BBox, type ReportCollection, ReportMap, type ReportProperties } from './report-map';
import { SensorLegend } from './sensor-legend';
import { SensorPanel } from './sensor-panel';
import { t } from './strings';
import { useSensors } from './use-sensors';

type Range = keyof typeof t.ranges;
type VerificationFilter = keyof typeof t.verifications;

interface Filters {
  category: string;
  verification: VerificationFilter;
  range: Range;
  from: string;
  until: string;
}

interface Query {
  category?: string;
  verification?: string;
  since?: string;
  until?: string;
}

const FALLBACK_CONFIG: SiteConfig = {
  name: 'Tally',
  license: { id: '', name: '', url: '' },
  basemap: { tile_url: null, attribution: null },
  default_center: { lat: 10, lon: 20 },
  default_zoom: 1.5,
};

const HOURS = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 } as const;

function readFilters(): Filters {
  const params = new URLSearchParams(location.search);
  const range = params.get('range') as Range | null;
  const verification = params.get('verification') as VerificationFilter | null;
  return {
    category: params.get('category') ?? '',
    verification: verification && verification in t.verifications ? verification : 'all',
    range: range && range in t.ranges ? range : 'all',
    from: params.get('from') ?? '',
    until: params.get('until') ?? '',
  };
}

/** The filters and the layers go into the address, so that a view can be shared as it is. */
function writeAddress(filters: Filters, layers: MapLayers): void {
  const query = queryString({
    ...layerParams(layers),
    category: filters.category,
    verification: filters.verification === 'all' ? '' : filters.verification,
    range: filters.range === 'all' ? '' : filters.range,
    from: filters.range === 'custom' ? filters.from : '',
    until: filters.range === 'custom' ? filters.until : '',
  });
  history.replaceState(null, '', location.pathname + query + location.hash);
}

function toQuery(filters: Filters): Query {
  const query: Query = {};
  if (filters.category) query.category = filters.category;
  if (filters.verification !== 'all') query.verification = filters.verification;
  if (filters.range === 'custom') {
    // Dates are days in the viewer's time zone; `until` includes the whole of its day.
    if (filters.from) query.since = new Date(`${filters.from}T00:00`).toISOString();
    if (filters.until) {
      const end = new Date(`${filters.until}T00:00`);
      end.setDate(end.getDate() + 1);
      query.until = end.toISOString();
    }
  } else if (filters.range !== 'all') {
    query.since = new Date(Date.now() - HOURS[filters.range] * 3_600_000).toISOString();
  }
  return query;
}

function downloadUrl(format: 'csv' | 'geojson' | 'kml', query: Query): string {
  return `/api/v1/exports/reports.${format}${queryString({ ...query })}`;
}

function App() {
  const [config, setConfig] = useState<SiteConfig | null>(null);
  const [notice, setNotice] = useState('');
  const [categories, setCategories] = useState<Category[]>([]);
  const [filters, setFilters] = useState<Filters>(readFilters);
  const [layers, setLayers] = useState<MapLayers>(() => readLayers(new URLSearchParams(location.search)));
  const query = useMemo(() => toQuery(filters), [filters]);
  const [bbox, setBbox] = useState<BBox | null>(null);
  const [matching, setMatching] = useState<number | null>(null);
  const [dataError, setDataError] = useState('');
  const [reload, setReload] = useState(0);

  const [items, setItems] = useState<Report[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [listLoading, setListLoading] = useState(false);
  const [listError, setListError] = useState('');

  const mapBox = useRef<HTMLElement>(null);
  const reportMap = useRef<ReportMap | null>(null);
  // Also as state: the sensor layer is added to the map once it exists.
  const [mapInstance, setMapInstance] = useState<ReportMap | null>(null);
  const overlays = useRef<HTMLDivElement>(null);
  const sensors = useSensors(mapInstance, layers, overlays);

  // Settings first: the map needs the basemap and the starting view.
  useEffect(() => {
    api
      .get<SiteConfig>('/api/v1/config')
      .then(setConfig)
      .catch(() => {
        setNotice(t.configError);
        setConfig(FALLBACK_CONFIG);
      });
    api
      .get<Page<Category>>('/api/v1/categories')
      .then((page) => setCategories(page.items ?? []))
      .catch(() => setCategories([]));
  }, []);

  useEffect(() => {
    if (!config) return;
    document.title = t.pageTitle(config.name);
    const brand = document.querySelector('.site-header .brand');
    if (brand) brand.textContent = config.name;
    if (!mapBox.current) return;
    const map = new ReportMap(mapBox.current, config, setBbox);
    reportMap.current = map;
    setMapInstance(map);
    return () => {
      map.destroy();
      reportMap.current = null;
      setMapInstance(null);
    };
  }, [config]);

  useEffect(() => mapInstance?.setVisible(layers.reports), [mapInstance, layers.reports]);

  useEffect(() => {
    reportMap.current?.setCategories(categories);
  }, [categories, config]);

  useEffect(() => writeAddress(filters, layers), [filters, layers]);

  // Every published report matching the filters goes to the map; clustering keeps it readable.
  useEffect(() => {
    if (!config) return;
    const controller = new AbortController();
    setDataError('');
    setMatching(null);
    request<ReportCollection>(downloadUrl('geojson', query), {
      headers: { Accept: 'application/geo+json, application/json' },
      signal: controller.signal,
    })
      .then((data) => {
        reportMap.current?.setData(data);
        setMatching(data.features.length);
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        setDataError(`${t.loadError} ${errorMessage(error, t)}`);
      });
    return () => controller.abort();
  }, [config, query, reload]);

  // The list shows what is in view, refreshed after each move (debounced: flying emits many).
  useEffect(() => {
    if (!bbox) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setListLoading(true);
      setListError('');
      api
        .get<Page<Report>>(
          '/api/v1/reports',
          { bbox: bbox.join(','), ...query, limit: 50 },
          controller.signal,
        )
        .then((page) => {
          setItems(page.items ?? []);
          setCursor(page.next_cursor ?? null);
        })
        .catch((error: unknown) => {
          if (!isAbort(error)) setListError(errorMessage(error, t));
        })
        .finally(() => {
          if (!controller.signal.aborted) setListLoading(false);
        });
    }, 200);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [bbox, query, reload]);

  const loadMore = useCallback(() => {
    if (!bbox || !cursor) return;
    setListLoading(true);
    api
      .get<Page<Report>>('/api/v1/reports', { bbox: bbox.join(','), ...query, limit: 50, cursor })
      .then((page) => {
        setItems((previous) => [...previous, ...(page.items ?? [])]);
        setCursor(page.next_cursor ?? null);
      })
      .catch((error: unknown) => setListError(errorMessage(error, t)))
      .finally(() => setListLoading(false));
  }, [bbox, cursor, query]);

  const index = useMemo(() => categoryIndex(categories), [categories]);

  const show = (report: Report) => {
    const where = reportLocation(report);
    if (!where || !reportMap.current) return;
    const props: ReportProperties = {
      id: report.id,
      title: report.title,
      description: report.description,
      occurred_at: report.occurred_at,
      received_at: report.received_at,
      categories: report.categories,
      location_name: where.name,
      verification: report.verification,
    };
    reportMap.current.showReport([where.lon, where.lat], props);
    mapBox.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  const update = (change: Partial<Filters>) => setFilters((previous) => ({ ...previous, ...change }));
  const updateLayers = (change: Partial<MapLayers>) => setLayers((previous) => ({ ...previous, ...change }));
  const chosen = sensors.quantity;

  return (
    <>
      <MirrorBanner mirror={config?.mirror_of} />
      <div class="map-layout">
        <div class="map-area">
          <section ref={mapBox} class="map" aria-label={t.mapLabel} />
          <div class="map-status">
            {layers.reports && matching === null && !dataError && config && (
              <div class="map-loading">{t.loadingMap}</div>
            )}
            {layers.sensors && sensors.cells.status === 'loading' && (
              <div class="map-loading">{t.sensors.loading}</div>
            )}
            {layers.sensors && sensors.cells.status === 'error' && (
              <div class="map-loading map-error" role="alert">
                {t.sensors.loadError}{' '}
                <button type="button" class="link" onClick={sensors.retry}>
                  {t.retry}
                </button>
              </div>
            )}
            {layers.sensors && sensors.quantitiesFailed && (
              <div class="map-loading map-error" role="alert">
                {t.sensors.quantitiesError}{' '}
                <button type="button" class="link" onClick={sensors.retryQuantities}>
                  {t.retry}
                </button>
              </div>
            )}
          </div>
          <div class="map-overlays" ref={overlays}>
            <LayerSwitch
              layers={chosen ? { ...layers, quantity: chosen.name } : layers}
              quantities={sensors.offered}
              onChange={updateLayers}
            />
            <div class="map-legends">
              {layers.reports && <ReportLegend />}
              {layers.sensors && (
                <SensorLegend
                  quantity={chosen}
                  cells={sensors.cells}
                  devicesShown={sensors.devicesShown}
                  tracksShown={sensors.tracksShown}
                />
              )}
            </div>
          </div>
        </div>
        {sensors.selection && chosen && (
          <SensorPanel
            selection={sensors.selection}
            quantity={chosen}
            quantities={sensors.quantities}
            devices={sensors.devices}
            onClose={sensors.close}
            onSelectDevice={sensors.selectDevice}
            onTracks={sensors.showTracks}
            onFit={sensors.fitTo}
            onShown={sensors.reveal}
          />
        )}
        <aside class="panel" aria-label={t.inView}>
          {notice && <p class="notice notice-warning">{notice}</p>}
          <div class="panel-top">
            <a class="button" href="/report">
              {t.send}
            </a>
          </div>

          <form class="filters" aria-label={t.filters} onSubmit={(event) => event.preventDefault()}>
            <div class="field">
              <label for="filter-category">{t.category}</label>
              <select
                id="filter-category"
                value={filters.category}
                onChange={(event) => update({ category: event.currentTarget.value })}
              >
                <option value="">{t.allCategories}</option>
                {flattenCategories(categories).map(({ category, depth }) => (
                  <option key={String(category.id)} value={String(category.id)}>
                    {'\u00a0\u00a0\u00a0'.repeat(depth)}
                    {category.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="filter-verification">{t.verification}</label>
              <select
                id="filter-verification"
                value={filters.verification}
                onChange={(event) =>
                  update({ verification: event.currentTarget.value as VerificationFilter })
                }
              >
                {(Object.keys(t.verifications) as VerificationFilter[]).map((key) => (
                  <option key={key} value={key}>
                    {t.verifications[key]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="filter-range">{t.time}</label>
              <select
                id="filter-range"
                value={filters.range}
                onChange={(event) => update({ range: event.currentTarget.value as Range })}
              >
                {(Object.keys(t.ranges) as Range[]).map((key) => (
                  <option key={key} value={key}>
                    {t.ranges[key]}
                  </option>
                ))}
              </select>
            </div>
            {filters.range === 'custom' && (
              <div class="row">
                <div class="field">
                  <label for="filter-from">{t.from}</label>
                  <input
                    id="filter-from"
                    type="date"
                    value={filters.from}
                    max={filters.until || undefined}
                    onChange={(event) => update({ from: event.currentTarget.value })}
                  />
                </div>
                <div class="field">
                  <label for="filter-until">{t.until}</label>
                  <input
                    id="filter-until"
                    type="date"
                    value={filters.until}
                    min={filters.from || undefined}
                    onChange={(event) => update({ until: event.currentTarget.value })}
                  />
                </div>
              </div>
            )}
            <p class="muted count" aria-live="polite">
              {matching !== null && t.matching(matching)}
            </p>
            {dataError && (
              <div class="notice notice-error">
                <p>{dataError}</p>
                <button type="button" class="secondary" onClick={() => setReload((n) => n + 1)}>
                  {t.retry}
                </button>
              </div>
            )}
          </form>

          <section class="report-list" id="list" aria-labelledby="list-heading">
            <h2 id="list-heading">{t.inView}</h2>
            {listError && <p class="notice notice-error">{listError}</p>}
            {bbox && !listLoading && !listError && items.length === 0 && <p class="muted">{t.empty}</p>}
            <ul>
              {items.map((report) => (
                <li key={String(report.id)}>
                  <button
                    type="button"
                    class="report-item"
                    onClick={() => show(report)}
                    aria-label={t.showOnMap(report.title)}
                  >
                    <span class="report-title">{report.title}</span>
                    <span class="report-meta">
                      {[formatDateTime(report.occurred_at ?? report.received_at), placeName(report)]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                    <span class="chips">
                      <VerificationBadge value={report.verification} />
                      {categoryNames(report.categories, index).map((name) => (
                        <span class="chip" key={name}>
                          {name}
                        </span>
                      ))}
                    </span>
                  </button>
                  <a
                    class="report-link"
                    href={reportPageUrl(report.id)}
                    aria-label={t.detailsOf(report.title)}
                  >
                    {t.details}
                  </a>
                </li>
              ))}
            </ul>
            {listLoading && <p class="muted">{t.loading}</p>}
            {cursor && !listLoading && (
              <button type="button" class="secondary more" onClick={loadMore}>
                {t.more}
              </button>
            )}
          </section>

          <section class="downloads" aria-labelledby="downloads-heading">
            <h2 id="downloads-heading">{t.downloads}</h2>
            <p class="muted">{t.downloadsHint}</p>
            <p class="actions">
              <a class="button button-secondary" href={downloadUrl('csv', query)} download>
                CSV
              </a>
              <a class="button button-secondary" href={downloadUrl('geojson', query)} download>
                GeoJSON
              </a>
              <a class="button button-secondary" href={downloadUrl('kml', query)} download>
                KML
              </a>
            </p>
            {config?.license?.name && (
              <p>
                {t.license}{' '}
                {config.license.url ? (
                  <a href={config.license.url} rel="license">
                    {config.license.name}
                  </a>
                ) : (
                  config.license.name
                )}
              </p>
            )}
          </section>
        </aside>
      </div>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
