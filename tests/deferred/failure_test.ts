import assert from "node:assert/strict";
import { Failure } from "../../deferred/mod.ts";

class CustomError extends Error {}

Deno.test("Failure given an Error when wrapped then keeps it as value and its class as type", () => {
  const error = new CustomError("custom");
  const failure = new Failure(error);
  assert.equal(failure.value, error);
  assert.equal(failure.type, CustomError);
});

Deno.test("Failure given a string when wrapped then keeps the string and has type String", () => {
  const failure = new Failure("plain text");
  assert.equal(failure.value, "plain text");
  assert.equal(failure.type, String);
});

Deno.test("Failure given a number when wrapped then has type Number", () => {
  const failure = new Failure(404);
  assert.equal(failure.value, 404);
  assert.equal(failure.type, Number);
});

Deno.test("Failure given null or undefined when wrapped then keeps the value and has type Object", () => {
  assert.equal(new Failure(null).value, null);
  assert.equal(new Failure(null).type, Object);
  assert.equal(new Failure(undefined).value, undefined);
  assert.equal(new Failure(undefined).type, Object);
});

Deno.test("Failure given an object without a prototype when wrapped then has type Object", () => {
  const value = Object.create(null);
  assert.equal(new Failure(value).type, Object);
});

Deno.test("Failure.from() given a Failure when called then returns it unchanged", () => {
  const failure = new Failure(new Error("x"));
  assert.equal(Failure.from(failure), failure);
});

Deno.test("Failure.from() given a thrown value when called then wraps it", () => {
  const error = new Error("x");
  const failure = Failure.from(error);
  assert.ok(failure instanceof Failure);
  assert.equal(failure.value, error);
});

Deno.test("Failure.check() given matching and non-matching classes when checked then returns the first match", () => {
  const failure = new Failure(new TypeError("bad"));
  assert.equal(failure.check(RangeError, TypeError, Error), TypeError);
});

Deno.test("Failure.check() given a base class when checked then matches a subclass instance", () => {
  assert.equal(new Failure(new CustomError("x")).check(Error), Error);
});

Deno.test("Failure.check() given no matching class when checked then returns null", () => {
  assert.equal(new Failure(new TypeError("bad")).check(RangeError), null);
});

Deno.test("Failure.check() given a string failure when checked against String then matches", () => {
  assert.equal(new Failure("text").check(String), String);
  assert.equal(new Failure("text").check(Error), null);
});

Deno.test("Failure.trap() given a matching class when trapped then returns it", () => {
  assert.equal(
    new Failure(new RangeError("x")).trap(TypeError, RangeError),
    RangeError,
  );
});

Deno.test("Failure.trap() given no matching class when trapped then throws the Failure itself", () => {
  const failure = new Failure(new TypeError("bad"));
  assert.throws(
    () => failure.trap(RangeError),
    (thrown) => thrown === failure,
  );
});

Deno.test("Failure.raiseException() given a wrapped value when called then throws the original value", () => {
  const error = new Error("original");
  assert.throws(
    () => new Failure(error).raiseException(),
    (thrown) => thrown === error,
  );
  assert.throws(
    () => new Failure("text").raiseException(),
    (thrown) => thrown === "text",
  );
});

Deno.test("Failure.getErrorMessage() given an Error when called then returns its message", () => {
  assert.equal(new Failure(new Error("boom")).getErrorMessage(), "boom");
});

Deno.test("Failure.getErrorMessage() given non-Error values when called then returns them as strings", () => {
  assert.equal(new Failure(42).getErrorMessage(), "42");
  assert.equal(new Failure("text").getErrorMessage(), "text");
  assert.equal(new Failure(undefined).getErrorMessage(), "undefined");
});

Deno.test("Failure.getErrorMessage() given a value whose toString throws when called then still describes it", () => {
  const hostile = {
    toString(): string {
      throw new Error("no");
    },
  };
  assert.equal(new Failure(hostile).getErrorMessage(), "[object Object]");
});

Deno.test("Failure.getTraceback() given an Error when called then returns its stack", () => {
  const error = new Error("with stack");
  assert.equal(new Failure(error).getTraceback(), error.stack);
});

Deno.test("Failure.getTraceback() given a non-Error when called then returns type and message", () => {
  assert.equal(new Failure(42).getTraceback(), "Number: 42");
});

Deno.test("Failure.toString() given an Error when described then names its type and message", () => {
  assert.equal(
    String(new Failure(new TypeError("bad"))),
    "[Failure instance: TypeError: bad]",
  );
});

Deno.test("Failure.getTraceback() given an Error whose stack getter throws when called then returns type and message", () => {
  const error = new RangeError("no stack");
  Object.defineProperty(error, "stack", {
    get(): never {
      throw new Error("stack getter broke");
    },
  });
  assert.equal(new Failure(error).getTraceback(), "RangeError: no stack");
});

Deno.test("Failure.getErrorMessage() given an Error whose message getter throws when called then describes it by its tag", () => {
  const error = new Error();
  Object.defineProperty(error, "message", {
    get(): never {
      throw new Error("message getter broke");
    },
  });
  assert.equal(new Failure(error).getErrorMessage(), "[object Error]");
});
