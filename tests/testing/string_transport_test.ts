import assert from "node:assert/strict";
import type { Failure } from "../../deferred/failure.ts";
import { ConnectionAborted, ConnectionDone } from "../../reactor/errors.ts";
import { Protocol } from "../../reactor/protocol.ts";
import {
  StringTransport,
  StringTransportWithDisconnection,
} from "../../testing/string_transport.ts";
import { IPv4Address } from "../../reactor/ipv4_address.ts";

class Recorder extends Protocol {
  reasons: Failure[] = [];
  override connectionLost(reason: Failure): void {
    this.reasons.push(reason);
  }
}

Deno.test("StringTransport.value() given strings, bytes and sequences when written then returns them in order", () => {
  const transport = new StringTransport();
  transport.write("ab");
  transport.write(new Uint8Array([0x63]));
  transport.writeSequence(["d", new Uint8Array([0x65])]);
  assert.deepEqual(transport.value(), new TextEncoder().encode("abcde"));
  assert.equal(transport.valueString(), "abcde");
});

Deno.test("StringTransport.write() given an array the caller reuses when written then keeps the original bytes", () => {
  const transport = new StringTransport();
  const data = new Uint8Array([1, 2]);
  transport.write(data);
  data[0] = 9;
  assert.deepEqual(transport.value(), new Uint8Array([1, 2]));
});

Deno.test("StringTransport.write() given a non-byte value when called then throws TypeError", () => {
  const transport = new StringTransport();
  assert.throws(() => transport.write(42 as unknown as string), TypeError);
});

Deno.test("StringTransport.clear() given written data when cleared then value() holds only later writes", () => {
  const transport = new StringTransport();
  transport.write("a");
  transport.value();
  transport.clear();
  transport.write("b");
  assert.equal(transport.valueString(), "b");
});

Deno.test("StringTransport.loseConnection() given a connected protocol when called then sets disconnecting without telling it", () => {
  const protocol = new Recorder();
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  transport.loseConnection();
  assert.equal(transport.disconnecting, true);
  assert.equal(transport.connected, true);
  assert.deepEqual(protocol.reasons, []);
});

Deno.test("StringTransport.abortConnection() given a connection when called then sets disconnecting", () => {
  const transport = new StringTransport();
  transport.abortConnection();
  assert.equal(transport.disconnecting, true);
});

Deno.test("StringTransport given no addresses when asked then reports Twisted's defaults", () => {
  const transport = new StringTransport();
  assert.deepEqual(transport.getHost(), {
    type: "TCP",
    host: "10.0.0.1",
    port: 12345,
  });
  assert.deepEqual(transport.getPeer(), {
    type: "TCP",
    host: "192.168.1.1",
    port: 54321,
  });
});

Deno.test("StringTransport given host and peer addresses when asked then reports them", () => {
  const peer = new IPv4Address("TCP", "127.0.0.1", 4000);
  const host = new IPv4Address("TCP", "127.0.0.1", 80);
  const transport = new StringTransport({
    hostAddress: host,
    peerAddress: peer,
  });
  assert.equal(transport.getPeer(), peer);
  assert.equal(transport.getHost(), host);
});

Deno.test("StringTransport.registerProducer() given a producer when registered and unregistered then records both", () => {
  const transport = new StringTransport();
  const producer = {
    pauseProducing(): void {},
    resumeProducing(): void {},
    stopProducing(): void {},
  };
  transport.registerProducer(producer, true);
  assert.equal(transport.producer, producer);
  assert.equal(transport.streaming, true);
  transport.unregisterProducer();
  assert.equal(transport.producer, null);
  assert.equal(transport.streaming, null);
});

Deno.test("StringTransport.registerProducer() given a producer already registered when called then throws TypeError", () => {
  const transport = new StringTransport();
  const producer = { resumeProducing(): void {}, stopProducing(): void {} };
  transport.registerProducer(producer, false);
  assert.throws(() => transport.registerProducer(producer, false), TypeError);
});

Deno.test("StringTransport.unregisterProducer() given no producer when called then throws TypeError", () => {
  assert.throws(() => new StringTransport().unregisterProducer(), TypeError);
});

Deno.test("StringTransport given pause, resume and stop when called then records each in producerState", () => {
  const transport = new StringTransport();
  transport.pauseProducing();
  assert.equal(transport.producerState, "paused");
  transport.resumeProducing();
  assert.equal(transport.producerState, "producing");
  transport.stopProducing();
  assert.equal(transport.producerState, "stopped");
});

Deno.test("StringTransport.resumeProducing() given a stopped producer when called then throws TypeError", () => {
  const transport = new StringTransport();
  transport.stopProducing();
  assert.throws(() => transport.resumeProducing(), TypeError);
});

Deno.test("StringTransport.pauseProducing() given a disconnecting transport when called then throws TypeError", () => {
  const transport = new StringTransport();
  transport.loseConnection();
  assert.throws(() => transport.pauseProducing(), TypeError);
});

Deno.test("StringTransport given TCP options when set then reports them", () => {
  const transport = new StringTransport();
  assert.equal(transport.getTcpNoDelay(), true);
  assert.equal(transport.getTcpKeepAlive(), false);
  transport.setTcpNoDelay(false);
  transport.setTcpKeepAlive(true);
  assert.equal(transport.getTcpNoDelay(), false);
  assert.equal(transport.getTcpKeepAlive(), true);
});

Deno.test("StringTransportWithDisconnection.loseConnection() given a protocol when called twice then calls connectionLost with ConnectionDone once", () => {
  const protocol = new Recorder();
  const transport = new StringTransportWithDisconnection({}, protocol);
  protocol.makeConnection(transport);
  transport.loseConnection();
  transport.loseConnection();
  assert.equal(protocol.reasons.length, 1);
  assert.ok(protocol.reasons[0].value instanceof ConnectionDone);
  assert.equal(transport.connected, false);
  assert.equal(transport.disconnecting, true);
});

Deno.test("StringTransportWithDisconnection.abortConnection() given a protocol when called then calls connectionLost with ConnectionAborted", () => {
  const protocol = new Recorder();
  const transport = new StringTransportWithDisconnection();
  transport.protocol = protocol;
  transport.abortConnection();
  assert.ok(protocol.reasons[0].value instanceof ConnectionAborted);
});

Deno.test("StringTransportWithDisconnection.loseConnection() given no protocol when called then throws TypeError", () => {
  assert.throws(
    () => new StringTransportWithDisconnection().loseConnection(),
    TypeError,
  );
});
