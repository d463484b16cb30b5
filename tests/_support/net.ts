/**
 * Loopback network facts for tests that need a real socket.
 *
 * @module
 */

/** A port number nothing listens on: bound once on 127.0.0.1, then released. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
