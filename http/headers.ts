/**
 * `Headers`: a case-insensitive, multi-valued, order-preserving collection of
 * HTTP header fields, as `twisted.web.http_headers.Headers`, with the
 * Tornado `HTTPHeaders` readers `get` and `getList`.
 *
 * @module
 */
import { CheckedStrings } from "../_util/checked_strings.ts";
import { isFieldValue, isToken } from "./_chars.ts";

/**
 * What a {@linkcode Headers} can be created from: a record of names to one
 * value or a list of values (Twisted's `Headers({b"name": [b"value"]})`), or
 * `[name, value]` pairs in order (another `Headers` is one).
 *
 * @example Both forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers, type HeadersInit } from "@torsion/torsion/http";
 * const record: HeadersInit = { Accept: "text/html", Via: ["1.1 a", "1.1 b"] };
 * const pairs: HeadersInit = [["Accept", "text/html"], ["Via", "1.1 a"]];
 * assert.equal(new Headers(record).getRawHeaders("via")?.length, 2);
 * assert.equal(new Headers(pairs).get("accept"), "text/html");
 * ```
 */
export type HeadersInit =
  | Record<string, string | readonly string[]>
  | Iterable<readonly [string, string]>;

// The parsers have checked every name and value byte already: they add
// fields through this, set once by the class below, so that `#add` stays
// private to the module.
let addChecked: (
  headers: Headers,
  key: string,
  name: string,
  value: string,
) => void;

/**
 * Adds a field whose name is a token and whose value has no CR, LF or NUL,
 * as the parsers have checked, without checking it again. Not part of the
 * public API (`mod.ts` does not export it).
 *
 * @param headers The collection to add to.
 * @param key `name` lower-cased.
 * @param name The name as received.
 * @param value The value, trimmed.
 */
export function addCheckedField(
  headers: Headers,
  key: string,
  name: string,
  value: string,
): void {
  addChecked(headers, key, name, value);
}

let setOne: (headers: Headers, name: string, value: string) => void;

/**
 * Sets a field to the one value `value`, checking the name and the value
 * as `setRawHeaders(name, [value])` does, without the array the call
 * would copy: the faces' `setHeader` runs on nearly every response. Not
 * part of the public API (`mod.ts` does not export it).
 *
 * @param headers The collection to change.
 * @param name The field name.
 * @param value The value.
 * @throws {TypeError} The name is not a token, or the value contains CR,
 * LF, NUL or a character above U+00FF.
 */
export function setFieldValue(
  headers: Headers,
  name: string,
  value: string,
): void {
  setOne(headers, name, value);
}

let entryOf: (headers: Headers, key: string) => Entry | undefined;

/**
 * `headers.get(key)` for a key already lower-cased, without looking its
 * name up in `KEYS`: for the engine's and the faces' own field names,
 * read on every request. Not part of the public API.
 *
 * @param headers The collection.
 * @param key The field name, lower-cased.
 * @returns The values joined by commas, or `undefined` when absent.
 */
export function getByKey(headers: Headers, key: string): string | undefined {
  const entry = entryOf(headers, key);
  if (entry === undefined) return undefined;
  return entry.values.length === 1 ? entry.values[0] : entry.values.join(",");
}

/**
 * `headers.hasHeader(key)` for a key already lower-cased (see
 * `getByKey`). Not part of the public API.
 *
 * @param headers The collection.
 * @param key The field name, lower-cased.
 * @returns Whether the field is present.
 */
export function hasKey(headers: Headers, key: string): boolean {
  return entryOf(headers, key) !== undefined;
}

/**
 * How many values the field `key` has (0 when absent), without the copy
 * `getRawHeaders` makes: the request parser counts the `Host` values of
 * every HTTP/1.1 request. Not part of the public API.
 *
 * @param headers The collection.
 * @param key The field name, lower-cased.
 * @returns The number of values.
 */
export function valueCount(headers: Headers, key: string): number {
  return entryOf(headers, key)?.values.length ?? 0;
}

/** One field of a collection: its name as written and its values. */
export interface RawField {
  /** The name, with the capitalisation it is written with. */
  readonly name: string;
  /** The values, in order: the collection's own array, not a copy. */
  readonly values: readonly string[];
}

let fieldsOf: (headers: Headers) => Iterable<RawField>;

/**
 * The fields in order, as `getAllRawHeaders` gives them, without the
 * generator and the `[name, values]` pair it makes for each: the client
 * writes every request's head from them. Not part of the public API
 * (`mod.ts` does not export it).
 *
 * @param headers The fields.
 * @returns The fields, to read and not to change.
 */
export function rawFields(headers: Headers): Iterable<RawField> {
  return fieldsOf(headers);
}

/** What `fieldPieces` gives the pieces of the field lines to, in order. */
export interface PieceSink {
  /** Takes the next piece. */
  piece(text: string): void;
}

let pieces: (headers: Headers, out: PieceSink) => number;

/**
 * Gives the fields as they go on the wire to `out`, as the pieces
 * `name`, `": "`, `value`, `"\r\n"` of each line, in order. Not part of
 * the public API (`mod.ts` does not export it).
 *
 * @param headers The fields.
 * @param out Where the pieces go.
 * @returns How many characters the pieces hold.
 */
export function fieldPieces(headers: Headers, out: PieceSink): number {
  return pieces(headers, out);
}

/** One field of a collection, linked to the next in order. */
class Entry implements RawField {
  readonly key: string;
  name: string;
  values: string[];
  next: Entry | null = null;

  constructor(key: string, name: string, values: string[]) {
    this.key = key;
    this.name = name;
    this.values = values;
  }
}

/**
 * A collection with more fields than this finds them through a Map of
 * their keys; a smaller one walks its list. Most heads have a few fields,
 * and a Map and its table cost more than the collection's fields do; a
 * head of thousands of fields must not be searched from its start at
 * every field added.
 */
const INDEX_AFTER = 16;

/** `rawFields`: the entries from `first` on, with no generator. */
class FieldIterator implements IterableIterator<RawField> {
  #entry: Entry | null;

  constructor(first: Entry | null) {
    this.#entry = first;
  }

  next(): IteratorResult<RawField> {
    const entry = this.#entry;
    if (entry === null) return { value: undefined, done: true };
    this.#entry = entry.next;
    return { value: entry, done: false };
  }

  [Symbol.iterator](): IterableIterator<RawField> {
    return this;
  }
}

/**
 * Names already seen, to their keys (lower-cased): most programs use a few
 * names, each lower-cased here once rather than into a new string at
 * every call. Bounded: cleared when full.
 */
const KEYS = new Map<string, string>();
const MAX_KEYS = 512;
/** Names checked to be tokens, to their keys; bounded as `KEYS` is. */
const VALID_KEYS = new Map<string, string>();

/** `name` lower-cased, through `KEYS`. */
function keyOf(name: string): string {
  let key = KEYS.get(name);
  if (key === undefined) {
    key = name.toLowerCase();
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    KEYS.set(name, key);
  }
  return key;
}

/**
 * The key of `name`, after checking that it is a token; a name in
 * `VALID_KEYS` passed that check when it was added.
 */
function checkedKey(name: string): string {
  const key = typeof name === "string" ? VALID_KEYS.get(name) : undefined;
  if (key !== undefined) return key;
  checkName(name);
  if (VALID_KEYS.size >= MAX_KEYS) VALID_KEYS.clear();
  const lower = keyOf(name);
  VALID_KEYS.set(name, lower);
  return lower;
}

function checkName(name: string): void {
  if (typeof name !== "string" || !isToken(name)) {
    throw new TypeError(
      `Header name must be a non-empty HTTP token: current value is ${
        JSON.stringify(name)
      }`,
    );
  }
}

/** Values that passed `checkValue` lately: most are set again at once. */
const CHECKED_VALUES = new CheckedStrings();

function checkValue(name: string, value: string): void {
  if (CHECKED_VALUES.has(value)) return;
  if (typeof value === "string" && isFieldValue(value)) {
    CHECKED_VALUES.add(value);
    return;
  }
  throw new TypeError(
    `Header value must be latin-1 without CR, LF or NUL: current value of ${name} is ${
      typeof value === "string" ? JSON.stringify(value) : String(value)
    }`,
  );
}

/**
 * The header fields of a request or response. Mirrors Twisted's
 * `twisted.web.http_headers.Headers`: names are case-insensitive, a name
 * holds a list of raw values in the order they were added, and names keep
 * the order in which they first appeared.
 *
 * A name is written out with the capitalisation it was first given
 * (`addRawHeader`) or last set with (`setRawHeaders`); Twisted instead
 * re-capitalises every name canonically. Values are strings whose characters
 * are bytes (latin-1), as on the wire.
 *
 * Names must be HTTP tokens, and values must not contain CR, LF or NUL
 * (which would let a value inject header lines) nor characters above
 * U+00FF; Twisted replaces newlines by spaces instead, Tornado raises as here.
 *
 * @example Multi-valued, case-insensitive fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers } from "@torsion/torsion/http";
 * const headers = new Headers({ "Content-Type": "text/html" });
 * headers.addRawHeader("Set-Cookie", "a=1");
 * headers.addRawHeader("set-cookie", "b=2");
 * assert.equal(headers.getRawHeaders("SET-COOKIE")?.length, 2);
 * assert.equal(headers.get("content-type"), "text/html");
 * ```
 */
export class Headers implements Iterable<[string, string]> {
  /**
   * The fields in order, a list of entries rather than a Map: see
   * `INDEX_AFTER`.
   */
  #first: Entry | null = null;
  #last: Entry | null = null;
  #count = 0;
  /** The entries by key, once there are more than `INDEX_AFTER`. */
  #index: Map<string, Entry> | null = null;

  /**
   * Creates a collection from a record of names to one value or a list of
   * values, or from `[name, value]` pairs (another `Headers` included).
   *
   * @param init The initial fields.
   * @throws {TypeError} A name is not a token, or a value contains CR, LF,
   * NUL or a character above U+00FF.
   */
  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) {
        this.addRawHeader(name, value);
      }
      return;
    }
    for (const [name, value] of Object.entries(init)) {
      if (typeof value === "string") this.addRawHeader(name, value);
      else this.setRawHeaders(name, value);
    }
  }

  /**
   * Whether a field of this name is present. Mirrors `Headers.hasHeader`.
   *
   * @param name The field name, in any case.
   * @returns `true` when the name has been added or set.
   *
   * @example Checking for a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * assert.ok(new Headers({ Host: "example.com" }).hasHeader("host"));
   * ```
   */
  hasHeader(name: string): boolean {
    return this.#find(keyOf(name)) !== undefined;
  }

  /**
   * Removes every value of a field; does nothing when it is absent. Mirrors
   * `Headers.removeHeader`.
   *
   * @param name The field name, in any case.
   *
   * @example Removing a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers({ Host: "example.com" });
   * headers.removeHeader("HOST");
   * assert.ok(!headers.hasHeader("Host"));
   * ```
   */
  removeHeader(name: string): void {
    this.#remove(keyOf(name));
  }

  /**
   * Replaces the values of a field. Mirrors `Headers.setRawHeaders`; the
   * name's capitalisation becomes the one given here. An empty list keeps
   * the name present with no values, which writes no line.
   *
   * @param name The field name.
   * @param values The values, in order.
   * @throws {TypeError} The name is not a token, `values` is not an array, or
   * a value contains CR, LF, NUL or a character above U+00FF.
   *
   * @example Replacing the values of a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers({ Accept: "text/html" });
   * headers.setRawHeaders("accept", ["application/json", "text/plain"]);
   * assert.equal(headers.get("Accept"), "application/json,text/plain");
   * ```
   */
  setRawHeaders(name: string, values: readonly string[]): void {
    const key = checkedKey(name);
    if (!Array.isArray(values)) {
      throw new TypeError(
        `Header values must be an array: current value of ${name} is ${
          String(values)
        }`,
      );
    }
    for (const value of values) checkValue(name, value);
    this.#set(key, name, values.slice());
  }

  /**
   * Appends a value to a field, after any it already has. Mirrors
   * `Headers.addRawHeader` (and Tornado's `HTTPHeaders.add`).
   *
   * @param name The field name.
   * @param value The value.
   * @throws {TypeError} The name is not a token, or the value contains CR,
   * LF, NUL or a character above U+00FF.
   *
   * @example Adding a value to a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers();
   * headers.addRawHeader("Via", "1.1 a");
   * headers.addRawHeader("Via", "1.1 b");
   * assert.equal(headers.getRawHeaders("via")?.join("|"), "1.1 a|1.1 b");
   * ```
   */
  addRawHeader(name: string, value: string): void {
    const key = checkedKey(name);
    checkValue(name, value);
    this.#add(key, name, value);
  }

  #add(key: string, name: string, value: string): void {
    const entry = this.#find(key);
    if (entry === undefined) this.#append(new Entry(key, name, [value]));
    else entry.values.push(value);
  }

  #find(key: string): Entry | undefined {
    if (this.#index !== null) return this.#index.get(key);
    for (let entry = this.#first; entry !== null; entry = entry.next) {
      if (entry.key === key) return entry;
    }
    return undefined;
  }

  /** Replaces the field's name and values where it is, else appends it. */
  #set(key: string, name: string, values: string[]): void {
    const entry = this.#find(key);
    if (entry === undefined) {
      this.#append(new Entry(key, name, values));
      return;
    }
    entry.name = name;
    entry.values = values;
  }

  #append(entry: Entry): void {
    if (this.#last === null) this.#first = entry;
    else this.#last.next = entry;
    this.#last = entry;
    this.#count++;
    if (this.#index !== null) {
      this.#index.set(entry.key, entry);
    } else if (this.#count > INDEX_AFTER) {
      const index = this.#index = new Map();
      for (let e = this.#first; e !== null; e = e.next) index.set(e.key, e);
    }
  }

  #remove(key: string): void {
    if (this.#index !== null && !this.#index.delete(key)) return;
    let previous: Entry | null = null;
    let entry = this.#first;
    while (entry !== null && entry.key !== key) {
      previous = entry;
      entry = entry.next;
    }
    if (entry === null) return;
    if (previous === null) this.#first = entry.next;
    else previous.next = entry.next;
    if (this.#last === entry) this.#last = previous;
    this.#count--;
  }

  static {
    addChecked = (headers, key, name, value) => headers.#add(key, name, value);
    entryOf = (headers, key) => headers.#find(key);
    fieldsOf = (headers) => new FieldIterator(headers.#first);
    setOne = (headers, name, value) => {
      const key = checkedKey(name);
      checkValue(name, value);
      headers.#set(key, name, [value]);
    };
    pieces = (headers, out) => {
      let size = 0;
      for (let entry = headers.#first; entry !== null; entry = entry.next) {
        const name = entry.name;
        for (const value of entry.values) {
          out.piece(name);
          out.piece(": ");
          out.piece(value);
          out.piece("\r\n");
          size += name.length + value.length + 4;
        }
      }
      return size;
    };
  }

  /**
   * The raw values of a field, in order, or `undefined` when it is absent.
   * Mirrors `Headers.getRawHeaders(name)`, which returns `None`.
   *
   * @param name The field name, in any case.
   * @returns A copy of the values, or `undefined`.
   *
   * @example Reading every value of a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers([["Via", "1.1 a"], ["via", "1.1 b"]]);
   * assert.equal(headers.getRawHeaders("VIA")?.join(), "1.1 a,1.1 b");
   * ```
   */
  getRawHeaders(name: string): string[] | undefined;
  /**
   * The raw values of a field, in order, or `defaultValue` when it is absent.
   * Mirrors `Headers.getRawHeaders(name, default)`.
   *
   * @param name The field name, in any case.
   * @param defaultValue What to return when the field is absent.
   * @returns A copy of the values, or `defaultValue`.
   *
   * @example Reading a field that may be absent
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers({ "Set-Cookie": ["a=1", "b=2"] });
   * assert.equal(headers.getRawHeaders("set-cookie")?.length, 2);
   * assert.equal(headers.getRawHeaders("Cookie"), undefined);
   * assert.equal(headers.getRawHeaders("Cookie", []).length, 0);
   * ```
   */
  getRawHeaders<D>(name: string, defaultValue: D): string[] | D;
  getRawHeaders<D>(
    name: string,
    defaultValue?: D,
  ): string[] | D | undefined {
    const entry = this.#find(keyOf(name));
    return entry === undefined ? defaultValue : entry.values.slice();
  }

  /**
   * Every field as `[name, values]`, names in the order they first
   * appeared, with the capitalisation they are written with. Mirrors
   * `Headers.getAllRawHeaders`. The value arrays are the collection's own:
   * read them, do not change them.
   *
   * @returns An iterator of `[name, values]`.
   *
   * @example Listing fields in order
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers([["Accept", "a"], ["Host", "h"], ["accept", "b"]]);
   * const names = [...headers.getAllRawHeaders()].map(([name]) => name);
   * assert.equal(names.join(), "Accept,Host");
   * ```
   */
  *getAllRawHeaders(): IterableIterator<[string, readonly string[]]> {
    for (let entry = this.#first; entry !== null; entry = entry.next) {
      yield [entry.name, entry.values];
    }
  }

  /**
   * An independent copy. Mirrors `Headers.copy`.
   *
   * @returns A new `Headers` with the same fields.
   *
   * @example Copying before changing
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const original = new Headers({ A: "1" });
   * const copy = original.copy();
   * copy.addRawHeader("A", "2");
   * assert.equal(original.getRawHeaders("A")?.length, 1);
   * ```
   */
  copy(): Headers {
    const copy = new Headers();
    for (let entry = this.#first; entry !== null; entry = entry.next) {
      copy.#append(new Entry(entry.key, entry.name, entry.values.slice()));
    }
    return copy;
  }

  /**
   * The values of a field joined by commas, or `undefined` when it is
   * absent. Mirrors Tornado's `HTTPHeaders[name]`, which joins with `","`.
   * Do not use it for `Set-Cookie`, whose values contain commas: use
   * `getRawHeaders` or `getList`.
   *
   * @param name The field name, in any case.
   * @returns The joined values, or `undefined`.
   *
   * @example Reading a comma-joined value
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers({ "Cache-Control": ["no-cache", "no-store"] });
   * assert.equal(headers.get("cache-control"), "no-cache,no-store");
   * ```
   */
  get(name: string): string | undefined {
    const entry = this.#find(keyOf(name));
    if (entry === undefined) return undefined;
    return entry.values.length === 1 ? entry.values[0] : entry.values.join(",");
  }

  /**
   * The values of a field, an empty array when it is absent. Mirrors
   * Tornado's `HTTPHeaders.get_list`.
   *
   * @param name The field name, in any case.
   * @returns A copy of the values.
   *
   * @example Reading every value of a field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * assert.equal(new Headers().getList("Set-Cookie").length, 0);
   * ```
   */
  getList(name: string): string[] {
    return this.getRawHeaders(name, []);
  }

  /**
   * Every `[name, value]` pair, one per value, in the order
   * `getAllRawHeaders` gives. Mirrors Tornado's `HTTPHeaders.get_all`; it is
   * also what `new Headers(other)` copies.
   *
   * @returns An iterator of `[name, value]`.
   *
   * @example Iterating over name-value pairs
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * const headers = new Headers({ A: ["1", "2"], B: "3" });
   * assert.equal([...headers].map(([n, v]) => `${n}=${v}`).join(), "A=1,A=2,B=3");
   * ```
   */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let entry = this.#first; entry !== null; entry = entry.next) {
      for (const value of entry.values) yield [entry.name, value];
    }
  }
}
