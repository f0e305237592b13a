// Issue 12: one error middleware for the service (there were three: app.ts, inbox-routes.ts and
// registry-routes.ts each mapped codes to statuses their own way).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KysoError } from "@kyso/core";
import { repoRoot } from "../support/cli.js";
import { errorAnswer } from "../../service/src/errors.js";

describe("security: one error middleware", function () {
  it("no service source but errors.ts defines an error handler (err, req, res, next)", () => {
    const src = join(repoRoot, "service", "src");
    const handlers = readdirSync(src)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => /\(\s*(err|error|e)\s*:\s*unknown\s*,\s*_?req\b[^)]*,\s*_?res\b[^)]*,\s*_?next\b/.test(readFileSync(join(src, f), "utf8")));
    assert.deepEqual(handlers, ["errors.ts"]);
  });

  it("maps codes to the statuses the routes answered before", () => {
    const a = (e: unknown): [number, string] => {
      const r = errorAnswer(e);
      return [r.status, r.code];
    };
    assert.deepEqual(a(new KysoError("USAGE", "x")), [400, "USAGE"]);
    assert.deepEqual(a(new KysoError("UNKNOWN_UNIT", "x")), [404, "UNKNOWN_UNIT"]);
    assert.deepEqual(a(new KysoError("VERIFY_BUSY", "x")), [503, "VERIFY_BUSY"]);
    assert.deepEqual(a(new KysoError("INBOX_CONFLICT", "x", { details: { status: 409 } })), [409, "INBOX_CONFLICT"]);
    assert.deepEqual(a(new KysoError("PDF_SYNTAX", "x")), [500, "PDF_SYNTAX"]);
    // A KysoError from another copy of @kyso/core (a loader may load it twice): by code, not class.
    const foreign = Object.assign(new Error("no unit"), { code: "UNKNOWN_UNIT" });
    assert.deepEqual(a(foreign), [404, "UNKNOWN_UNIT"]);
    // Not coded: a 500 that shows nothing of the internals.
    const internal = errorAnswer(Object.assign(new Error("ENOENT: /var/lib/kyso/secret"), { code: "ENOENT" }));
    assert.deepEqual([internal.status, internal.code, internal.message], [500, "INTERNAL", "Internal error"]);
    assert.deepEqual(a({ type: "entity.too.large" }), [413, "BODY_TOO_LARGE"]);
    assert.deepEqual(a({ type: "entity.parse.failed" }), [400, "USAGE"]);
  });
});
