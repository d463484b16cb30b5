/**
 * `URLSpec` and `url`: one route of an `Application`, as Tornado's
 * `tornado.web.URLSpec` (`tornado.routing.URLSpec`) and `tornado.web.url`.
 *
 * @module
 */
import { unquoteToBytes } from "./_body_arguments.ts";
import type { RequestHandlerClass } from "./request_handler.ts";

/**
 * What `URLSpec.match` gives, as Tornado's `PathMatches.match`: the groups,
 * percent-decoded, as bytes.
 */
export interface RouteMatch {
  /** The unnamed groups in order (`undefined` for one that did not take part). */
  pathArgs: (Uint8Array | undefined)[];
  /** The named groups. */
  pathKwargs: Record<string, Uint8Array>;
}

/**
 * A route's groups as they appear in the request path, still
 * percent-encoded: what the handler decodes (`RequestHandler.execute`).
 */
export interface EncodedRouteMatch {
  /** The unnamed groups in order (`undefined` for one that did not take part). */
  pathArgs: (string | undefined)[];
  /** The named groups. */
  pathKwargs: Record<string, string>;
}

/** The handler found for a request, with what it is given. */
export interface FoundHandler {
  /** The handler class. */
  handlerClass: RequestHandlerClass;
  /** What `initialize` receives. */
  initArgs: Record<string, unknown>;
  /** The unnamed groups, still percent-encoded. */
  pathArgs: (string | undefined)[];
  /** The named groups, still percent-encoded. */
  pathKwargs: Record<string, string>;
}

/**
 * The match of every route without groups: shared, so a request to such a
 * route allocates nothing for it, and frozen, so no caller can change it
 * for the next.
 */
const NO_GROUPS: RouteMatch = Object.freeze({
  pathArgs: Object.freeze([]) as unknown as (Uint8Array | undefined)[],
  pathKwargs: Object.freeze(Object.create(null)) as Record<string, Uint8Array>,
});
/** `NO_GROUPS` before decoding, shared and frozen likewise. */
const NO_ENCODED_GROUPS: EncodedRouteMatch = Object.freeze({
  pathArgs: Object.freeze([]) as unknown as (string | undefined)[],
  pathKwargs: Object.freeze(Object.create(null)) as Record<string, string>,
});

function pythonToJavaScript(pattern: string): string {
  // Tornado users write Python's named groups and back-references.
  return pattern.replaceAll("(?P<", "(?<").replace(
    /\(\?P=(\w+)\)/g,
    "\\k<$1>",
  );
}

function groupCount(regex: RegExp): number {
  return new RegExp(`${regex.source}|`, regex.flags.replace("g", "")).exec("")!
    .length - 1;
}

/** Python's `quote(value, safe="/")`: every byte but unreserved ones and `/`. */
function quotePath(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, "/").replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * One route: a regular expression matched against the request path
 * (still percent-encoded), the handler class, its init arguments and an
 * optional name for `reverseUrl`. Anchored as Tornado anchors it: at the
 * start, and with `$` appended when the pattern does not end with one.
 * Python's `(?P<name>...)` groups are accepted as JavaScript's
 * `(?<name>...)`. Tornado's `tornado.web.URLSpec`.
 *
 * @example Matching and reversing
 * ```ts
 * import assert from "node:assert/strict";
 * import { RequestHandler, URLSpec } from "@torsion/torsion/web";
 * const spec = new URLSpec(String.raw`/items/(\d+)`, RequestHandler, {}, "item");
 * assert.equal(spec.match("/items/42/more"), null);
 * assert.equal(new TextDecoder().decode(spec.match("/items/42")!.pathArgs[0]), "42");
 * assert.equal(spec.reverse(42), "/items/42");
 * ```
 */
export class URLSpec {
  /** The anchored expression. */
  readonly regex: RegExp;
  /** The handler class. */
  readonly handlerClass: RequestHandlerClass;
  /** What `initialize` receives. */
  readonly initArgs: Record<string, unknown>;
  /** The name for `reverseUrl`, if any. */
  readonly name: string | undefined;
  readonly #reversePieces: string[] | null;
  readonly #groups: number;

  /**
   * Creates a route, compiling and anchoring its pattern.
   *
   * @param pattern The path pattern (a string in Tornado's syntax, or a RegExp).
   * @param handlerClass The handler class.
   * @param initArgs What `initialize` receives.
   * @param name The name for `reverseUrl`.
   * @throws {SyntaxError} The pattern is not a valid regular expression.
   */
  constructor(
    pattern: string | RegExp,
    handlerClass: RequestHandlerClass,
    initArgs: Record<string, unknown> = {},
    name?: string,
  ) {
    let source = typeof pattern === "string"
      ? pythonToJavaScript(pattern)
      : pattern.source;
    if (!source.endsWith("$")) source += "$";
    const flags = typeof pattern === "string"
      ? ""
      : pattern.flags.replace(/[gy]/g, "");
    this.regex = new RegExp(`^(?:${source})`, flags);
    this.handlerClass = handlerClass;
    this.initArgs = initArgs;
    this.name = name;
    this.#groups = groupCount(this.regex);
    this.#reversePieces = reversePieces(source, this.#groups);
  }

  /**
   * Matches a request path, as Tornado's `PathMatches.match`.
   *
   * @param path The request path, still percent-encoded.
   * @returns The groups, or `null` when the path does not match.
   */
  match(path: string): RouteMatch | null {
    const groups = this.matchEncoded(path);
    if (groups === null) return null;
    if (groups === NO_ENCODED_GROUPS) return NO_GROUPS;
    const pathKwargs = Object.create(null) as Record<string, Uint8Array>;
    for (const name in groups.pathKwargs) {
      pathKwargs[name] = unquoteToBytes(groups.pathKwargs[name]);
    }
    return {
      pathArgs: groups.pathArgs.map((group) =>
        group === undefined ? undefined : unquoteToBytes(group)
      ),
      pathKwargs,
    };
  }

  /**
   * Matches a request path as `match` does, leaving the groups as they
   * appear in it: the `Application` routes with this, and the handler
   * decodes them, most without making their bytes.
   *
   * @param path The request path, still percent-encoded.
   * @returns The groups, or `null` when the path does not match.
   */
  matchEncoded(path: string): EncodedRouteMatch | null {
    if (this.#groups === 0) {
      // Without groups there is nothing to take from the match.
      if (!this.regex.test(path)) return null;
      return NO_ENCODED_GROUPS;
    }
    const match = this.regex.exec(path);
    if (match === null) return null;
    if (match.groups === undefined) {
      return {
        pathArgs: match.slice(1),
        pathKwargs: NO_ENCODED_GROUPS.pathKwargs,
      };
    }
    const pathKwargs = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(match.groups)) {
      if (value !== undefined) pathKwargs[name] = value;
    }
    return { pathArgs: [], pathKwargs };
  }

  /**
   * Builds a path from the pattern with `args` in its groups
   * (percent-encoded, `/` kept), as Tornado's `URLSpec.reverse`.
   *
   * @param args The group values, in order.
   * @returns The path.
   * @throws {TypeError} The pattern is too complex to reverse.
   * @throws {RangeError} The number of values is not the number of groups.
   */
  reverse(...args: (string | number)[]): string {
    if (this.#reversePieces === null) {
      throw new TypeError(
        `Cannot reverse url regex: current value is ${this.regex.source}`,
      );
    }
    if (args.length !== this.#groups) {
      throw new RangeError(
        `Reversing ${this.regex.source} needs ${this.#groups} values: current count is ${args.length}`,
      );
    }
    let out = this.#reversePieces[0];
    for (let i = 0; i < args.length; i++) {
      out += quotePath(String(args[i])) + this.#reversePieces[i + 1];
    }
    return out;
  }
}

/**
 * The literal text between groups of a simple pattern, or `null` when it
 * has nested groups, alternation outside groups, or escapes that are not
 * literal characters (Tornado's `_find_groups`).
 */
function reversePieces(source: string, groups: number): string[] | null {
  let pattern = source.startsWith("^") ? source.slice(1) : source;
  if (pattern.endsWith("$")) pattern = pattern.slice(0, -1);
  if (groups !== pattern.split("(").length - 1) return null;
  const pieces: string[] = [];
  for (const [index, fragment] of pattern.split("(").entries()) {
    const literal = index === 0
      ? fragment
      : fragment.slice(fragment.indexOf(")") + 1);
    if (index > 0 && !fragment.includes(")")) return null;
    const unescaped = unescapeLiteral(literal);
    if (unescaped === null) return null;
    pieces.push(unescaped);
  }
  return pieces;
}

function unescapeLiteral(text: string): string | null {
  if (/[[\]|*+?{}]/.test(text.replace(/\\./g, ""))) return null;
  if (/\\[A-Za-z0-9]/.test(text)) return null;
  return text.replace(/\\(.)/g, "$1");
}

/**
 * Makes a {@linkcode URLSpec}, as Tornado's `tornado.web.url`, to name a
 * route in an application's list.
 *
 * @param pattern The path pattern.
 * @param handlerClass The handler class.
 * @param initArgs What `initialize` receives.
 * @param name The name for `reverseUrl`.
 * @returns The route.
 *
 * @example A named route
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, RequestHandler, url } from "@torsion/torsion/web";
 * const app = new Application([url("/users/([^/]+)", RequestHandler, {}, "user")]);
 * assert.equal(app.reverseUrl("user", "ann lee"), "/users/ann%20lee");
 * ```
 */
export function url(
  pattern: string | RegExp,
  handlerClass: RequestHandlerClass,
  initArgs?: Record<string, unknown>,
  name?: string,
): URLSpec {
  return new URLSpec(pattern, handlerClass, initArgs, name);
}
