import assert from "node:assert/strict";
import type { IAddress } from "../../reactor/interfaces.ts";
import { IPv4Address } from "../../reactor/ipv4_address.ts";
import { StringTransport } from "../../testing/string_transport.ts";

Deno.test("IPv4Address given a type, host and port when constructed then is an IAddress usable from a variable without as const", () => {
  const peer = new IPv4Address("TCP", "127.0.0.1", 4000);
  const address: IAddress = peer;
  assert.deepEqual(
    [address.type, address.host, address.port],
    ["TCP", "127.0.0.1", 4000],
  );
  assert.equal(new StringTransport({ peerAddress: peer }).getPeer(), peer);
});

Deno.test("IPv4Address given an address when turned into a string then reads as Twisted's repr", () => {
  assert.equal(
    String(new IPv4Address("TCP", "::1", 80)),
    "IPv4Address(type='TCP', host='::1', port=80)",
  );
});

Deno.test("IPv4Address given a port outside 0-65535 when constructed then throws RangeError stating it", () => {
  for (const port of [-1, 65536, 1.5, NaN]) {
    assert.throws(() => new IPv4Address("TCP", "h", port), {
      name: "RangeError",
      message:
        `Cannot create an IPv4Address with a port outside 0-65535: current value is ${port}`,
    });
  }
});

Deno.test("IPv4Address given a type other than TCP when constructed then throws TypeError", () => {
  assert.throws(
    () => new IPv4Address("UDP" as "TCP", "h", 1),
    { name: "TypeError", message: /current value is "UDP"/ },
  );
});
