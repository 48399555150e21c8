const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * "23.7 GiB" for 25446555648.
 *
 * @public
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}
