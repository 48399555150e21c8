/** The first 12 hex digits of a version id, as shown in tables (like a short git hash). */
export function shortVersion(version: string): string {
  return version.slice(0, 12);
}
