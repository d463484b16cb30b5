import { HTTP11ClientProtocol } from "../../../http/_client_protocol.ts";
import { ClientRequest } from "../../../http/_request.ts";
import { parseURI } from "../../../http/_url.ts";
import { Headers } from "../../../http/headers.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { Protocol } from "../../../reactor/protocol.ts";
import type { Failure } from "../../../deferred/failure.ts";

let q = 0;
const p = new HTTP11ClientProtocol(() => q++);
const t = new StringTransport();
p.makeConnection(t);
const d = p.request(new ClientRequest({ method: "GET", uri: parseURI("http://example.com:8080/a?b"), headers: new Headers({ "X-A": "1" }) }));
console.log(JSON.stringify(t.valueString()), p.state);
const chunks: string[] = [];
d.addCallback((r) => {
  console.log("response", r.code, r.phrase, r.length, r.headers.get("content-length"));
  r.deliverBody(new (class extends Protocol {
    override dataReceived(data: Uint8Array) { chunks.push(new TextDecoder().decode(data)); }
    override connectionLost(reason: Failure) { console.log("body end", reason.getErrorMessage(), chunks, "state", p.state, "q", q); }
  })());
});
const resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
for (const c of resp) p.dataReceived(new TextEncoder().encode(c));
