// Postgres text columns cannot store U+0000; a NUL anywhere in a request would pass validation
// and fail in the database as a 500. Every entry point checks for it first.

/** Paths of strings holding a NUL character, which no Postgres text column can store. */
export function nulPaths(value: unknown, path: PropertyKey[] = [], found: PropertyKey[][] = []): PropertyKey[][] {
  if (found.length >= 20) return found;
  // Raw bytes (a MIME message) are not text: their parser deals with NULs.
  if (Buffer.isBuffer(value)) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => nulPaths(item, [...path, index], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push([...path, key]);
      else nulPaths(item, [...path, key], found);
    }
  }
  return found;
}
