import type { MapLayers } from './map-layers';
import type { QuantityInfo } from './sensor-api';
import { t } from './strings';

interface LayerSwitchProps {
  layers: MapLayers;
  /** The quantities to offer; the chosen one is kept even before the list has arrived. */
  quantities: QuantityInfo[];
  onChange(change: Partial<MapLayers>): void;
}

/** Reports, sensor readings or both, and which measurement the hexagons show: plain checkboxes and a select. */
export function LayerSwitch({ layers, quantities, onChange }: LayerSwitchProps) {
  const offered = quantities.some((q) => q.name === layers.quantity)
    ? quantities
    : [{ name: layers.quantity, label: layers.quantity }, ...quantities];
  return (
    <form class="layer-switch map-card" onSubmit={(event) => event.preventDefault()}>
      <fieldset>
        <legend class="visually-hidden">{t.layers}</legend>
        {(['reports', 'sensors'] as const).map((name) => (
          <label key={name} class="layer-toggle">
            <input
              type="checkbox"
              checked={layers[name]}
              onChange={(event) => onChange({ [name]: event.currentTarget.checked })}
            />
            <span>{t.layerNames[name]}</span>
          </label>
        ))}
      </fieldset>
      {layers.sensors && (
        <div class="layer-quantity">
          <label for="sensor-quantity">{t.sensors.quantity}</label>
          <select
            id="sensor-quantity"
            value={layers.quantity}
            onChange={(event) => onChange({ quantity: event.currentTarget.value })}
          >
            {offered.map((quantity) => (
              <option key={quantity.name} value={quantity.name}>
                {quantity.label}
              </option>
            ))}
          </select>
        </div>
      )}
    </form>
  );
}
