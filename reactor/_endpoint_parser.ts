/**
 * The endpoint description mini-language of Twisted's `serverFromString`
 * and `clientFromString`: `type:positional:name=value`, with `\` escaping
 * the next character. Parsing yields plain descriptions; `endpoints.ts`
 * turns them into endpoints.
 *
 * @module
 */
import type { TLSClientOptions, TLSServerOptions } from "./interfaces.ts";

/** What `serverFromString` builds, with every default filled in. */
export type ServerDescription =
  | { type: "tcp"; port: number; backlog: number; iface: string }
  | {
    type: "ssl";
    port: number;
    backlog: number;
    iface: string;
    tls: TLSServerOptions;
  };

/** What `clientFromString` builds, with every default filled in. */
export type ClientDescription =
  | {
    type: "tcp";
    host: string;
    port: number;
    timeout: number;
    bindAddress: [string, number] | null;
  }
  | {
    type: "ssl";
    host: string;
    port: number;
    timeout: number;
    bindAddress: [string, number] | null;
    tls: TLSClientOptions;
  };

interface Parsed {
  readonly args: string[];
  readonly kwargs: Map<string, string>;
}

/**
 * Splits `description` into positional and named arguments the way
 * Twisted's `_tokenize` and `_parse` do: `:` separates arguments, the first
 * `=` of an argument separates its name from its value (later ones are part
 * of the value), and a backslash takes the next character literally.
 */
export function parseArguments(description: string): Parsed {
  const args: string[] = [];
  const kwargs = new Map<string, string>();
  let current = "";
  let name: string | null = null;
  const finish = (): void => {
    if (name === null) args.push(current);
    else kwargs.set(name, current);
    current = "";
    name = null;
  };
  for (let i = 0; i < description.length; i++) {
    const char = description[i];
    if (char === "\\") {
      i++;
      if (i === description.length) {
        throw syntaxError(description, "it ends with an unescaped backslash");
      }
      current += description[i];
    } else if (char === ":") {
      finish();
    } else if (char === "=" && name === null) {
      name = current;
      current = "";
    } else {
      current += char;
    }
  }
  finish();
  return { args, kwargs };
}

/** Parses a server description (`tcp:8080:interface=127.0.0.1`, `ssl:8443:privateKey=key.pem`). */
export function parseServer(description: string): ServerDescription {
  const { args, kwargs } = parseArguments(description);
  const type = args.shift()!.toLowerCase();
  if (type === "tcp") {
    const values = bind(description, args, kwargs, [
      "port",
      "interface",
      "backlog",
    ]);
    return {
      type: "tcp",
      port: portNumber(description, required(description, values, "port")),
      iface: values.get("interface") ?? "",
      backlog: integer(description, "backlog", values.get("backlog") ?? "50"),
    };
  }
  if (type === "ssl") {
    const values = bind(description, args, kwargs, [
      "port",
      "privateKey",
      "certKey",
      "sslmethod",
      "interface",
      "backlog",
      "extraCertChain",
      "dhParameters",
    ]);
    unsupported(description, values, ["sslmethod", "dhParameters"]);
    const keyPath = values.get("privateKey") ?? "server.pem";
    const certPath = values.get("certKey") ?? keyPath;
    const certs = certificates(description, certPath);
    const chainPath = values.get("extraCertChain");
    if (chainPath !== undefined) {
      certs.push(...certificates(description, chainPath));
    }
    return {
      type: "ssl",
      port: portNumber(description, required(description, values, "port")),
      iface: values.get("interface") ?? "",
      backlog: integer(description, "backlog", values.get("backlog") ?? "50"),
      tls: { cert: certs.join("\n"), key: privateKey(description, keyPath) },
    };
  }
  throw syntaxError(description, `unknown endpoint type "${type}"`);
}

/** Parses a client description (`tcp:host=example.com:port=80`, `tls:example.com:443`). */
export function parseClient(description: string): ClientDescription {
  const { args, kwargs } = parseArguments(description);
  const type = args.shift()!.toLowerCase();
  const common = ["host", "port", "timeout", "bindAddress"];
  let names: string[];
  if (type === "tcp") names = common;
  else if (type === "ssl") {
    names = [...common, "certKey", "privateKey", "caCertsDir", "hostname"];
  } else if (type === "tls") {
    names = [...common, "certificate", "privateKey", "trustRoots", "endpoint"];
  } else throw syntaxError(description, `unknown endpoint type "${type}"`);

  // Twisted's _parseClientTCP: "host:port", or one positional that is the
  // host unless host= is given, in which case it is the port.
  if (args.length > 2) {
    throw syntaxError(
      description,
      `a ${type} client takes at most 2 positional arguments: got ${args.length}`,
    );
  }
  const positional = args.length === 1 && kwargs.has("host")
    ? ["port"]
    : ["host", "port"];
  const values = bind(description, args, kwargs, names, positional);
  unsupported(description, values, [
    "certKey",
    "privateKey",
    "certificate",
    "endpoint",
  ]);
  const host = required(description, values, "host");
  const port = portNumber(description, required(description, values, "port"));
  const timeout = seconds(description, values.get("timeout") ?? "30");
  const bindHost = values.get("bindAddress");
  const bindAddress: [string, number] | null = bindHost === undefined
    ? null
    : [bindHost, 0];
  if (type === "tcp") return { type, host, port, timeout, bindAddress };

  const tls: TLSClientOptions = {};
  const hostname = type === "tls" ? host : values.get("hostname");
  if (hostname !== undefined) tls.hostname = hostname;
  const roots = values.get(type === "tls" ? "trustRoots" : "caCertsDir");
  if (roots !== undefined) tls.caCerts = trustRoots(description, roots);
  return { type: "ssl", host, port, timeout, bindAddress, tls };
}

function bind(
  description: string,
  args: readonly string[],
  kwargs: ReadonlyMap<string, string>,
  names: readonly string[],
  positional: readonly string[] = names,
): Map<string, string> {
  if (args.length > positional.length) {
    throw syntaxError(
      description,
      `expected at most ${positional.length} positional arguments: got ${args.length}`,
    );
  }
  const values = new Map<string, string>();
  args.forEach((value, i) => values.set(positional[i], value));
  for (const [name, value] of kwargs) {
    if (!names.includes(name)) {
      throw syntaxError(description, `unknown parameter "${name}"`);
    }
    if (values.has(name)) {
      throw syntaxError(description, `parameter "${name}" is given twice`);
    }
    values.set(name, value);
  }
  return values;
}

function unsupported(
  description: string,
  values: ReadonlyMap<string, string>,
  names: readonly string[],
): void {
  for (const name of names) {
    if (values.has(name)) {
      throw syntaxError(
        description,
        `parameter "${name}" is not supported by Deno's TLS`,
      );
    }
  }
}

function required(
  description: string,
  values: ReadonlyMap<string, string>,
  name: string,
): string {
  const value = values.get(name);
  if (value === undefined) {
    throw syntaxError(description, `parameter "${name}" is missing`);
  }
  return value;
}

function integer(description: string, name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw syntaxError(
      description,
      `${name} must be a non-negative integer: current value is "${value}"`,
    );
  }
  return Number(value);
}

function portNumber(description: string, value: string): number {
  const port = integer(description, "port", value);
  if (port > 65535) {
    throw new RangeError(
      `Cannot parse endpoint description "${description}": port must be at most 65535: current value is ${port}`,
    );
  }
  return port;
}

function seconds(description: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw syntaxError(
      description,
      `timeout must be a non-negative number of seconds: current value is "${value}"`,
    );
  }
  return Number(value);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string, label: (label: string) => boolean): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (label(match[1])) blocks.push(match[0]);
  }
  return blocks;
}

function certificates(description: string, path: string): string[] {
  const certs = pemBlocks(
    Deno.readTextFileSync(path),
    (l) => l === "CERTIFICATE",
  );
  if (certs.length === 0) {
    throw syntaxError(description, `${path} holds no PEM certificate`);
  }
  return certs;
}

function privateKey(description: string, path: string): string {
  const [key] = pemBlocks(
    Deno.readTextFileSync(path),
    (l) => l.endsWith("PRIVATE KEY"),
  );
  if (key === undefined) {
    throw syntaxError(description, `${path} holds no PEM private key`);
  }
  return key;
}

// Twisted reads every *.pem file of a directory; a single file is accepted
// too, since that is how a self-signed certificate usually comes.
function trustRoots(description: string, path: string): string[] {
  if (!Deno.statSync(path).isDirectory) return certificates(description, path);
  const certs: string[] = [];
  for (const entry of Deno.readDirSync(path)) {
    if (!entry.isFile || !entry.name.toLowerCase().endsWith(".pem")) continue;
    const text = Deno.readTextFileSync(`${path}/${entry.name}`);
    certs.push(...pemBlocks(text, (l) => l === "CERTIFICATE"));
  }
  if (certs.length === 0) {
    throw syntaxError(description, `${path} holds no *.pem certificate`);
  }
  return certs;
}

function syntaxError(description: string, detail: string): TypeError {
  return new TypeError(
    `Cannot parse endpoint description "${description}": ${detail}`,
  );
}
