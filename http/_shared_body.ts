/**
 * Response bodies that a server sends again and again and promises never
 * to modify (a static file held in memory): each is kept joined behind the
 * last head it went with, so that the next response with that head is one
 * socket write of bytes made once. Otherwise a large body goes as a head
 * write and a body write (copying it behind its head for every response
 * costs more than the second write), and the second write of a 100 KiB
 * file over loopback cost a tenth of its response.
 *
 * @module
 */
import type { HeadText } from "./_head_text.ts";

interface Joined {
  readonly head: HeadText;
  readonly bytes: Uint8Array;
  readonly madeAt: number;
  hits: number;
}

/**
 * A held join is made again for another head only once it has served this
 * many responses, or is this old: the `Date` line changes every second, and
 * two kinds of head taking turns must not copy the body for each response.
 */
const REJOIN_HITS = 8;
const REJOIN_MS = 1000;

/** Shared bodies, each with its join (`null` until first sent). */
const joins = new WeakMap<Uint8Array, Joined | null>();

/**
 * Marks `body` as shared: the caller never modifies it. Its join lives as
 * long as it does, so a body held in a bounded cache costs at most its size
 * again while held.
 *
 * @param body The bytes.
 */
export function shareBody(body: Uint8Array): void {
  if (!joins.has(body)) joins.set(body, null);
}

/**
 * The bytes of `head` followed by `body`, kept for the next response, when
 * `body` is shared; `null` when it is not, or when joining it again now
 * would copy it too often (see `REJOIN_HITS`).
 *
 * @param head A finished head (not added to afterwards).
 * @param body The body.
 * @returns The joined bytes (never to be modified), or `null`.
 */
export function joinedResponse(
  head: HeadText,
  body: Uint8Array,
): Uint8Array | null {
  const joined = joins.get(body);
  if (joined === undefined) return null;
  if (joined !== null) {
    if (joined.head.sameAs(head)) {
      joined.hits++;
      return joined.bytes;
    }
    const age = Date.now() - joined.madeAt;
    if (joined.hits < REJOIN_HITS && age >= 0 && age < REJOIN_MS) return null;
  }
  const bytes = new Uint8Array(head.length + body.length);
  head.writeInto(bytes);
  bytes.set(body, head.length);
  joins.set(body, { head, bytes, madeAt: Date.now(), hits: 0 });
  return bytes;
}
