/**
 * `NOT_DONE_YET`, the value a render returns to answer later, as
 * `twisted.web.server.NOT_DONE_YET`.
 *
 * @module
 */

/**
 * Returned by `render` (or a `render_*` method) to say the response is not
 * ready: the resource has kept the request and will call
 * `request.write(...)` and `request.finish()` itself later, from a
 * Deferred's callback, a `callLater`, or anything else. Mirrors Twisted's
 * `twisted.web.server.NOT_DONE_YET`.
 *
 * @example Answering from a timer
 * ```ts
 * import { NOT_DONE_YET, Request, Resource } from "@torsion/torsion/web";
 * import { reactor } from "@torsion/torsion/reactor";
 * class Slow extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): typeof NOT_DONE_YET {
 *     reactor.callLater(0.1, () => {
 *       request.write("late");
 *       request.finish();
 *     });
 *     return NOT_DONE_YET;
 *   }
 * }
 * ```
 */
export const NOT_DONE_YET: unique symbol = Symbol("NOT_DONE_YET");
