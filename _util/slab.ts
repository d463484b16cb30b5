/**
 * Byte buffers for what is written per message (response heads, short
 * strings encoded for a transport), cut from a shared slab: a view of a
 * large buffer costs less to make than a buffer of its own, and one is made
 * for every response. A slab is never rewound: a view handed to a
 * transport keeps its bytes until it is written, and the slab is collected
 * once no view of it is left. Views are for bytes on their way to a socket,
 * never for bytes handed to application code (its `buffer` is shared).
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
  // A view made by the constructor: subarray looks up a species
  // constructor first, which costs more than the view itself.
  const view = new Uint8Array(slab.buffer, used, size);
  // Keep views aligned to 8 bytes, as fresh buffers are.
  used += (size + 7) & ~7;
  return view;
}
