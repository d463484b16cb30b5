/**
 * The opening handshake of RFC 6455 section 4, for both sides: checking an
 * upgrade request (parsed by the HTTP layer's request parser) and building
 * its 101 answer, and building a client's request and checking the answer
 * (parsed by the HTTP layer's response parser).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Headers } from "../http/headers.ts";
import type { RequestHead } from "../http/server_interfaces.ts";
import type { ResponseHead } from "../http/interfaces.ts";
import { WebSocketHandshakeError } from "./errors.ts";
import { type ExtensionOffer, parseExtensions } from "./_deflate.ts";

/** The GUID every `Sec-WebSocket-Accept` is computed with. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const encoder = new TextEncoder();

/** The `Sec-WebSocket-Accept` answering `key`. */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes in base64. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** What a valid upgrade request asks for. */
export interface UpgradeRequest {
  /** The `Sec-WebSocket-Key`. */
  key: string;
  /** The subprotocols offered, in the client's order. */
  protocols: string[];
  /** The extensions offered. */
  extensions: ExtensionOffer[];
  /** The `Origin` header, or `null`. */
  origin: string | null;
}

function tokens(headers: Headers, name: string): string[] {
  return headers.getList(name).flatMap((value) => value.split(","))
    .map((item) => item.trim()).filter((item) => item !== "");
}

/**
 * Checks an upgrade request, as Tornado's `WebSocketHandler.get` and
 * Autobahn's `processHandshake` do.
 *
 * @throws {WebSocketHandshakeError} 405 for a method other than GET, 400
 *   for missing or malformed upgrade fields, 426 for a version other than
 *   13 (answer with `Sec-WebSocket-Version: 13`).
 */
export function checkUpgradeRequest(head: RequestHead): UpgradeRequest {
  const headers = head.headers;
  if (head.method !== "GET") {
    throw new WebSocketHandshakeError(
      405,
      `A WebSocket upgrade must use GET: current method is ${head.method}`,
    );
  }
  const [, major, minor] = head.version;
  if (major !== 1 || minor < 1) {
    throw new WebSocketHandshakeError(
      400,
      `A WebSocket upgrade needs HTTP/1.1: current version is ${major}.${minor}`,
    );
  }
  if (
    !tokens(headers, "upgrade").some((t) => t.toLowerCase() === "websocket")
  ) {
    throw new WebSocketHandshakeError(
      400,
      'Can "Upgrade" only to "WebSocket"',
    );
  }
  if (
    !tokens(headers, "connection").some((t) => t.toLowerCase() === "upgrade")
  ) {
    throw new WebSocketHandshakeError(400, '"Connection" must be "Upgrade"');
  }
  const version = headers.get("sec-websocket-version");
  if (version !== "13") {
    throw new WebSocketHandshakeError(
      426,
      `Unsupported WebSocket version: current value is ${version ?? "missing"}`,
    );
  }
  const keys = headers.getList("sec-websocket-key");
  if (keys.length !== 1 || !KEY.test(keys[0].trim())) {
    throw new WebSocketHandshakeError(
      400,
      `Invalid Sec-WebSocket-Key: current value is ${
        keys.join(", ") || "missing"
      }`,
    );
  }
  const protocols = tokens(headers, "sec-websocket-protocol");
  if (protocols.some((p) => !TOKEN.test(p))) {
    throw new WebSocketHandshakeError(400, "Invalid Sec-WebSocket-Protocol");
  }
  let extensions: ExtensionOffer[] = [];
  const offered = headers.getList("sec-websocket-extensions").join(", ");
  if (offered !== "") {
    try {
      extensions = parseExtensions(offered);
    } catch (error) {
      throw new WebSocketHandshakeError(
        400,
        `Invalid Sec-WebSocket-Extensions: ${(error as Error).message}`,
      );
    }
  }
  return {
    key: keys[0].trim(),
    protocols,
    extensions,
    origin: headers.get("origin") ?? null,
  };
}

/**
 * Whether `origin` matches one of `allowed`, where `*` matches any run of
 * characters (Autobahn's `allowedOrigins`). A request without `Origin`
 * (not from a browser) is allowed.
 */
export function originAllowed(
  origin: string | null,
  allowed: readonly string[],
): boolean {
  if (origin === null) return true;
  return allowed.some((pattern) => {
    const source = pattern.split("*").map((part) =>
      part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    ).join(".*");
    return new RegExp(`^${source}$`, "i").test(origin);
  });
}

/** The header fields of the 101 answer. */
export function upgradeResponseHeaders(
  key: string,
  protocol: string | null,
  extensions: string | null,
): [string, string][] {
  const fields: [string, string][] = [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", acceptKey(key)],
  ];
  if (protocol !== null) fields.push(["Sec-WebSocket-Protocol", protocol]);
  if (extensions !== null) {
    fields.push(["Sec-WebSocket-Extensions", extensions]);
  }
  return fields;
}

/** A response head and an empty or short body, for the listenTCP face. */
export function encodeResponse(
  status: number,
  phrase: string,
  fields: readonly [string, string][],
  body = "",
  contentType = "text/plain; charset=utf-8",
): Uint8Array {
  let text = `HTTP/1.1 ${status} ${phrase}\r\n`;
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  if (status === 101) return encoder.encode(`${text}\r\n`);
  const content = encoder.encode(body);
  const head = encoder.encode(
    `${text}Content-Type: ${contentType}\r\nContent-Length: ${content.length}\r\nConnection: close\r\n\r\n`,
  );
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/** What a client asks for in its opening handshake. */
export interface ClientRequestOptions {
  /** `host[:port]` for the `Host` header. */
  host: string;
  /** The request target: path and query. */
  resource: string;
  /** The `Sec-WebSocket-Key`. */
  key: string;
  /** Subprotocols to offer. */
  protocols: readonly string[];
  /** The `Sec-WebSocket-Extensions` offer, or `null`. */
  extensions: string | null;
  /** The `Origin`, or `null`. */
  origin: string | null;
  /** More header fields. */
  headers: readonly [string, string][];
}

/** The client's upgrade request. */
export function encodeClientRequest(options: ClientRequestOptions): Uint8Array {
  let text = `GET ${options.resource} HTTP/1.1\r\nHost: ${options.host}\r\n` +
    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Key: ${options.key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (options.protocols.length > 0) {
    text += `Sec-WebSocket-Protocol: ${options.protocols.join(", ")}\r\n`;
  }
  if (options.extensions !== null) {
    text += `Sec-WebSocket-Extensions: ${options.extensions}\r\n`;
  }
  if (options.origin !== null) text += `Origin: ${options.origin}\r\n`;
  for (const [name, value] of options.headers) {
    if (/[\r\n]/.test(name + value)) {
      throw new TypeError(
        `Header ${JSON.stringify(name)} contains a line break`,
      );
    }
    text += `${name}: ${value}\r\n`;
  }
  return encoder.encode(`${text}\r\n`);
}

/**
 * Checks the server's answer to a client's upgrade request.
 *
 * @returns The subprotocol the server chose, or `null`.
 * @throws {WebSocketHandshakeError} Not a valid 101 answer (`status` is the
 *   server's status).
 */
export function checkUpgradeResponse(
  head: ResponseHead,
  key: string,
  protocols: readonly string[],
): string | null {
  const headers = head.headers;
  if (head.code !== 101) {
    throw new WebSocketHandshakeError(
      head.code,
      `The server refused the WebSocket upgrade: ${head.code} ${head.phrase}`,
    );
  }
  if (
    !tokens(headers, "upgrade").some((t) => t.toLowerCase() === "websocket")
  ) {
    throw new WebSocketHandshakeError(
      101,
      'The server\'s answer lacks "Upgrade: websocket"',
    );
  }
  if (
    !tokens(headers, "connection").some((t) => t.toLowerCase() === "upgrade")
  ) {
    throw new WebSocketHandshakeError(
      101,
      'The server\'s answer lacks "Connection: Upgrade"',
    );
  }
  const accept = headers.get("sec-websocket-accept");
  if (accept !== acceptKey(key)) {
    throw new WebSocketHandshakeError(
      101,
      `Invalid Sec-WebSocket-Accept: current value is ${accept ?? "missing"}`,
    );
  }
  const protocol = headers.get("sec-websocket-protocol") ?? null;
  if (protocol !== null && !protocols.includes(protocol)) {
    throw new WebSocketHandshakeError(
      101,
      `The server chose a subprotocol never offered: ${protocol}`,
    );
  }
  return protocol;
}
