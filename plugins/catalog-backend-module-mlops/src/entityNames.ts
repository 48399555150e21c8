/**
 * A catalog entity name from a portal name: lowercase letters and digits, every other run of
 * characters turned into one `-`, at most 63 characters; `fallback` when nothing is left.
 */
export function entityName(name: string, fallback: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 63)
      .replace(/^-+|-+$/g, '') || fallback
  );
}

/**
 * Entity names for items whose names are unique per team but must be unique per namespace in the
 * catalog: the oldest item keeps the plain name, later ones get their id's start appended.
 */
export function uniqueEntityNames<T extends { id: string; createdAt: string }>(
  items: T[],
  nameOf: (item: T) => string,
  fallback: string,
): Array<[T, string]> {
  const taken = new Set<string>();
  return [...items]
    .sort(
      (a, b) =>
        a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    )
    .map(item => {
      let name = entityName(nameOf(item), fallback);
      if (taken.has(name)) {
        name = `${name.slice(0, 54).replace(/-+$/, '')}-${item.id
          .replace(/[^a-z0-9]/g, '')
          .slice(0, 8)}`;
      }
      taken.add(name);
      return [item, name];
    });
}
