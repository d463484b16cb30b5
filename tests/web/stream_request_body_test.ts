import assert from "node:assert/strict";
import {
  Application,
  HTTPError,
  RequestHandler,
  streamRequestBody,
} from "../../web/mod.ts";
import { captureLogs, sleep } from "../_support/mod.ts";
import { serve } from "./_fake_channel.ts";

function chunkedBody(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const piece = pieces.shift();
      if (piece === undefined) {
        controller.close();
        return;
      }
      await sleep(2);
      controller.enqueue(encoder.encode(piece));
    },
  });
}

Deno.test("streamRequestBody given a chunked upload when served then prepare, each piece in order, then the method", async () => {
  const events: string[] = [];
  @streamRequestBody
  class Upload extends RequestHandler {
    override async prepare(): Promise<void> {
      await sleep(5);
      events.push("prepare");
    }
    override async dataReceived(chunk: Uint8Array): Promise<void> {
      await sleep(1);
      events.push(new TextDecoder().decode(chunk));
    }
    override post(): void {
      events.push(`post body=${this.request.body.length}`);
      this.write("ok");
    }
  }
  const server = new Application([["/up", Upload]]).listen(0, {
    address: "127.0.0.1",
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/up`, {
      method: "POST",
      body: chunkedBody(["one-", "two-", "three"]),
    });
    assert.equal(await response.text(), "ok");
    assert.equal(events[0], "prepare");
    assert.equal(events.slice(1, -1).join(""), "one-two-three");
    assert.equal(events.at(-1), "post body=0");
  } finally {
    await server.stop();
    await server.closeAllConnections();
  }
});

Deno.test("streamRequestBody given prepare that refuses when served then dataReceived never runs", async () => {
  let received = 0;
  @streamRequestBody
  class Limited extends RequestHandler {
    override prepare(): void {
      throw new HTTPError(413);
    }
    override dataReceived(): void {
      received++;
    }
    override put(): void {}
  }
  await captureLogs(async () => {
    const channel = await serve(new Application([["/", Limited]]), {
      method: "PUT",
      body: "data",
    });
    assert.equal(channel.code, 413);
  });
  await sleep(0);
  assert.equal(received, 0);
});

Deno.test("streamRequestBody given dataReceived that throws when served then answers 500 and skips the method", async () => {
  let ran = false;
  @streamRequestBody
  class Broken extends RequestHandler {
    override dataReceived(): void {
      throw new Error("bad piece");
    }
    override put(): void {
      ran = true;
    }
  }
  await captureLogs(async () => {
    const channel = await serve(new Application([["/", Broken]]), {
      method: "PUT",
      body: "data",
    });
    assert.equal(channel.code, 500);
  });
  assert.equal(ran, false);
});

Deno.test("streamRequestBody given a subclass of a streaming class when served then it streams too", async () => {
  @streamRequestBody
  class Base extends RequestHandler {
    size = 0;
    override dataReceived(chunk: Uint8Array): void {
      this.size += chunk.length;
    }
  }
  class Child extends Base {
    override put(): void {
      this.write(`${this.size} ${this.request.body.length}`);
    }
  }
  const channel = await serve(new Application([["/", Child]]), {
    method: "PUT",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "a=1&b=2",
  });
  assert.equal(channel.text(), "7 0");
});
