/**
 * Byte buffers for response heads, cut from a shared slab: a view of a
 * large buffer costs less to make than a buffer of its own, and a head is
 * made for every response. A slab is never rewound: a view handed to a
 * transport keeps its bytes until it is written, and the slab is collected
 * once no view of it is left.
 *
 * @module
 */

const SLAB_SIZE = 65536;
/** Larger requests get a buffer of their own. */
const MAX_FROM_SLAB = 4096;

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** A buffer of `size` bytes, zeroed only if it does not come from the slab. */
export function allocate(size: number): Uint8Array {
  if (size > MAX_FROM_SLAB) return new Uint8Array(size);
  if (used + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const view = slab.subarray(used, used + size);
  // Keep views aligned to 8 bytes, as fresh buffers are.
  used += (size + 7) & ~7;
  return view;
}
