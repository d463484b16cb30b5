/**
 * The body `bench/soak.ts` expects for request `id`: its id, then filler
 * whose length depends on the id (40 to 2,000 bytes), so a response given
 * to the wrong request is seen.
 *
 * @module
 */

/** The body of request `id`. */
export function soakBody(id: number): string {
  const size = 40 + (Math.imul(id, 2654435761) >>> 0) % 1960;
  const prefix = `${id}:`;
  return prefix + "abcdefghijklmnopqrstuvwxyz".repeat(80).slice(
    0,
    size - prefix.length,
  );
}
