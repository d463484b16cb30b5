/**
 * The client against a real nginx on loopback, when nginx is installed
 * (`apt-get install nginx-light`, which puts it in /usr/sbin, off an
 * ordinary user's PATH); skipped with a message otherwise.
 *
 * @module
 */
import assert from "node:assert/strict";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { ContentDecoderAgent } from "../../http/content_decoder_agent.ts";
import { PageError } from "../../http/client_errors.ts";
import { getPage } from "../../http/get_page.ts";
import { GzipDecoder } from "../../http/gzip_decoder.ts";
import { readBody } from "../../http/read_body.ts";
import { RedirectAgent } from "../../http/redirect_agent.ts";
import { StringProducer } from "../../http/string_producer.ts";
import { performRequest } from "../../http/_engine.ts";
import { closedPort, findExecutable, sleep, text } from "../_support/mod.ts";

const nginx = findExecutable("nginx");
if (nginx === null) {
  // deno-lint-ignore no-console
  console.log(
    "nginx not found on PATH nor in /usr/sbin: skipping the nginx tests (apt-get install nginx-light to run them)",
  );
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nginx did not listen on port ${port}`);
}

Deno.test({
  name:
    "HTTP client given a real nginx when it fetches bodies, keeps alive, decodes gzip, follows redirects and meets errors then each behaves as specified",
  ignore: nginx === null,
  async fn(t): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "torsion-nginx-" });
    const port = closedPort();
    await Deno.mkdir(`${dir}/www`);
    await Deno.writeTextFile(`${dir}/www/index.txt`, "x".repeat(1024));
    await Deno.writeTextFile(`${dir}/www/big.txt`, "hello nginx ".repeat(5000));
    await Deno.writeTextFile(
      `${dir}/nginx.conf`,
      `daemon off;
master_process off;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type text/plain;
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 0;
    add_header X-Connection $connection always;
    location = /redirect { return 302 /index.txt; }
    location = /post { return 200 "posted $request_method $content_length"; }
  }
}
`,
    );
    const child = new Deno.Command(nginx as string, {
      args: ["-c", `${dir}/nginx.conf`, "-p", dir, "-e", `${dir}/error.log`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForPort(port);

      await t.step(
        "nginx given a 1 KiB static file when fetched then the body arrives with Content-Length",
        async () => {
          const response = await agent.request("GET", `${base}/index.txt`);
          assert.equal(response.code, 200);
          assert.equal(response.length, 1024);
          assert.equal((await readBody(response)).length, 1024);
        },
      );

      await t.step(
        "nginx given a persistent pool when ten requests are made then they use one connection",
        async () => {
          const seen = new Set<string>();
          for (let i = 0; i < 10; i++) {
            const response = await agent.request("GET", `${base}/index.txt`);
            seen.add(response.headers.get("x-connection") ?? "");
            await readBody(response);
          }
          assert.equal(seen.size, 1);
        },
      );

      await t.step(
        "nginx given a gzip, chunked body when fetched through ContentDecoderAgent then it is decoded",
        async () => {
          const decoding = new ContentDecoderAgent(agent, [[
            "gzip",
            GzipDecoder,
          ]]);
          const response = await decoding.request("GET", `${base}/big.txt`);
          assert.equal(
            text(await readBody(response)),
            "hello nginx ".repeat(5000),
          );
        },
      );

      await t.step(
        "nginx given a redirect and gzip when fetched by performRequest() then it follows and decodes",
        async () => {
          const result = await performRequest(pool, {
            method: "GET",
            url: `${base}/redirect`,
            decompress: true,
          });
          assert.equal(result.redirects, 1);
          assert.equal(result.body.length, 1024);
        },
      );

      await t.step(
        "nginx given a POST body when sent through RedirectAgent then the body arrives",
        async () => {
          const redirected = await new RedirectAgent(agent).request(
            "GET",
            `${base}/redirect`,
          );
          assert.equal((await readBody(redirected)).length, 1024);
          const posted = await agent.request(
            "POST",
            `${base}/post`,
            null,
            new StringProducer("12345"),
          );
          assert.equal(text(await readBody(posted)), "posted POST 5");
        },
      );

      await t.step(
        "nginx given HEAD and a missing page when fetched then HEAD has no body and getPage() fails with PageError",
        async () => {
          const head = await agent.request("HEAD", `${base}/index.txt`);
          assert.equal((await readBody(head)).length, 0);
          await assert.rejects(
            getPage(`${base}/missing`, { pool }).asPromise(),
            PageError,
          );
        },
      );
    } finally {
      await pool.closeCachedConnections();
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "findExecutable() given nginx installed in /usr/sbin and a PATH without sbin directories when searched then finds it",
  ignore: nginx === null || !nginx.startsWith("/usr/sbin/"),
  fn(): void {
    assert.equal(findExecutable("nginx", "/usr/bin:/bin"), "/usr/sbin/nginx");
  },
});

Deno.test("findExecutable() given a name nothing provides when searched then returns null", () => {
  assert.equal(findExecutable("torsion-no-such-peer", "/usr/bin:/bin"), null);
});
