/**
 * The files under `tests/fixtures/`, located from this module so that
 * tests pass from any working directory.
 *
 * @module
 */

/** The absolute path of `tests/fixtures/<name>`. */
export function fixturePath(name: string): string {
  return new URL(`../fixtures/${name}`, import.meta.url).pathname;
}

/** The text of `tests/fixtures/<name>`. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(fixturePath(name));
}

/** The path of the test certificate (CN=localhost, SAN 127.0.0.1). */
export const TLS_CERT_PATH: string = fixturePath("localhost.crt");
/** The path of the test certificate's private key. */
export const TLS_KEY_PATH: string = fixturePath("localhost.key");
/** The test certificate, PEM. */
export const TLS_CERT: string = fixture("localhost.crt");
/** The test certificate's private key, PEM. */
export const TLS_KEY: string = fixture("localhost.key");
