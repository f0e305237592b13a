import assert from "node:assert/strict";
import { startTestServers, type TestServers } from "@kyso/certs-test";
import { tempDir, verify } from "../support.js";
import { assertGenuineRevocationOff, describeReport } from "./expect.js";
import { LOCAL_AS_UTC_HOURS, signingTimeLocalAsUtc, type Fixture } from "./fixtures.js";
import { openssl, opensslCmsVerify } from "./openssl.js";

/**
 * Issue 11 (real-world CMS): a signing-time attribute whose value is Vietnamese local time labelled
 * UTC, 7 hours ahead of the truth, beside an RFC 3161 timestamp. The claimed time is reported as
 * claimed; the timestamp is the signing time (EN 319 102-1 §5.6.2.2: best signature time from a POE).
 */
describe("verify: signing-time written as local time labelled UTC", function () {
  const dir = tempDir("kyso-real-world-time-");
  let servers: TestServers;
  let fixture: Fixture;
  // Taken when the fixture is made, not when mocha loads the file (a long run starts minutes earlier).
  let signedAt: Date;

  before(async function () {
    signedAt = new Date();
    servers = await startTestServers({ port: 0 });
    fixture = await signingTimeLocalAsUtc(dir, servers.tsaUrl, signedAt);
  });
  after(async function () {
    await servers?.close();
  });

  it("the fixture: openssl accepts the CMS, its signing-time is 7 hours ahead and it carries a timestamp token", function () {
    const v = opensslCmsVerify(fixture.cms, fixture.ranges, fixture.caFile);
    assert.ok(v.ok, v.output);
    const printed = openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", fixture.cms]).toString("latin1");
    const claimed = new Date(signedAt.getTime() + LOCAL_AS_UTC_HOURS * 3600_000);
    const month = claimed.toUTCString().slice(8, 11);
    const written = `${month} ${String(claimed.getUTCDate()).padStart(2, " ")} ${claimed.toISOString().slice(11, 19)} ${claimed.getUTCFullYear()} GMT`;
    assert.ok(printed.includes(`signingTime (1.2.840.113549.1.9.5)`) && printed.includes(`UTCTIME:${written}`), `signing-time ${written} present`);
    assert.match(printed, /id-smime-aa-timeStampToken/, "timestamp token present");
    assert.equal(servers.hits.tsa, 1);
  });

  it("Kyso: the timestamp is the signing time, the 7-hours-ahead signing-time is only claimed", async function () {
    const r = await verify(fixture.file, { revocation: "off" });
    const s = r.signatures[0];
    const what = describeReport(r);
    assert.ok(s, what);
    assert.equal(s.timeSource, "timestamp", what);
    assert.ok(s.timestamp?.valid, `timestamp valid: ${JSON.stringify(s.timestamp)}`);
    const best = Date.parse(s.signingTime ?? "");
    assert.ok(Math.abs(best - signedAt.getTime()) < 5 * 60_000, `signing time ${s.signingTime} is the timestamp's, near ${signedAt.toISOString()}`);
    const claimed = Date.parse(s.claimedTime ?? "");
    const expected = Math.floor(signedAt.getTime() / 1000) * 1000 + LOCAL_AS_UTC_HOURS * 3600_000;
    assert.equal(claimed, expected, `claimedTime is the signing-time attribute as written (${s.claimedTime})`);
    assertGenuineRevocationOff(r);
  });
});
