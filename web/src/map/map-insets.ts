/** How much of the map's edges the page covers, so that what is shown on the map is not shown under them. */
export interface Insets {
  /** The layer switch and legends at the top left, on a wide map. */
  left: number;
  /** A bottom sheet fixed over a phone's screen. */
  bottom: number;
}

export function mapInsets(
  map: HTMLElement,
  covers: { overlays?: HTMLElement | null; sheet?: HTMLElement | null },
): Insets {
  const box = map.getBoundingClientRect();
  const insets: Insets = { left: 0, bottom: 0 };
  const { overlays, sheet } = covers;
  if (sheet?.isConnected && getComputedStyle(sheet).position === 'fixed') {
    insets.bottom = Math.max(0, box.bottom - sheet.getBoundingClientRect().top);
  }
  // On a narrow map the overlays are nearly as wide as the map: keeping clear of them would leave nothing.
  const shown = overlays && overlays.getClientRects().length > 0;
  const right = shown ? overlays.getBoundingClientRect().right - box.left : 0;
  if (right > 0 && right < box.width / 2) insets.left = right;
  return insets;
}
