/**
 * A memory of the last few strings that passed a check: a header value set
 * on every response (`Content-Type`, an `ETag` made again for the same
 * body) is most often the very string checked for the previous one, and
 * comparing it with a handful of strings costs a tenth of reading it again.
 * Strings cannot change, so a string remembered stays valid; the memory
 * holds `SIZE` of them, the oldest forgotten first.
 *
 * @module
 */

const SIZE = 4;

/** The last `SIZE` strings that passed one check. */
export class CheckedStrings {
  readonly #kept: string[] = new Array<string>(SIZE).fill("");
  #next = 0;

  /**
   * Whether `text` is one of the remembered strings.
   *
   * @param text The string to look for.
   * @returns `true` when it passed the check before.
   */
  has(text: string): boolean {
    const kept = this.#kept;
    return text === kept[0] || text === kept[1] || text === kept[2] ||
      text === kept[3];
  }

  /**
   * Remembers `text`, which passed the check, forgetting the oldest.
   *
   * @param text The string.
   */
  add(text: string): void {
    this.#kept[this.#next] = text;
    this.#next = (this.#next + 1) % SIZE;
  }
}
