import { Agent } from "../../../http/agent.ts";
import { readBody } from "../../../http/read_body.ts";
import { HTTPConnectionPool } from "../../../http/connection_pool.ts";
import { reactor } from "../../../reactor/reactor.ts";
import { startServer } from "../_servers.ts";
const server = await startServer();
const pool = new HTTPConnectionPool(reactor);
pool.maxPersistentPerHost = 50;
const agent = new Agent(reactor, { pool });
const r = await agent.request("GET", server.url + "/bytes/10");
console.log(r.code, r.length, (await readBody(r)).length);
const N = 5000, C = 50;
for (let k = 0; k < 3; k++) {
let i = 0;
const t = performance.now();
await Promise.all(Array.from({ length: C }, async () => {
  while (i < N) { i++; const r = await agent.request("GET", server.url + "/bytes/1024"); await readBody(r); }
}));
console.log("req/s", (N / ((performance.now() - t) / 1000)).toFixed(0), "conns", server.connections.size);
}
await pool.closeCachedConnections();
await server.close();
