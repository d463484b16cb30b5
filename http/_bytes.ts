/**
 * Byte helpers shared by the body readers.
 *
 * @module
 */

/** Joins body pieces; a single piece is returned as it is. */
export function joinChunks(
  chunks: readonly Uint8Array[],
  length: number,
): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
