/**
 * Acceptance (issue 4): a wrong PIN stops the run before any file is touched, with exactly one
 * login attempt, and exit code 2. Runs on a private copy of the token directory: SoftHSM counts
 * wrong PINs, and the shared demo token must not be affected.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadGraphene, pkcs11Lib, ready, token } from "@kyso/certs-test";
import { makeTree, officerRsaFlags, runCli, tempDir, tokenCopy, withTokenSlot } from "./helpers.js";

const SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";
const CKF_USER_PIN_COUNT_LOW = 0x10000;

/** The demo token's flags in a token directory (SoftHSM keeps CKF_USER_PIN_COUNT_LOW set after a failed login). */
function tokenFlagsAfter(conf: string, login?: string): number {
  return withTokenSlot(conf, token.label, (slot, graphene) => {
    if (login) {
      const s = slot.open(graphene.SessionFlag.SERIAL_SESSION);
      s.login(login, graphene.UserType.USER);
      s.logout();
      s.close();
    }
    return slot.getToken().flags;
  });
}

describe("kyso sign: wrong PIN", function () {
  it("makes one login attempt, writes nothing and exits with 2", async function () {
    assert.ok(ready(), "run `pnpm certs` first");
    assert.ok(existsSync(SPY), "OpenSC's pkcs11-spy.so (opensc-pkcs11) logs the PKCS#11 calls");
    const copy = tokenCopy();
    // A good login first clears SoftHSM's "count low" flag on the copy.
    assert.equal(tokenFlagsAfter(copy.conf, token.userPin) & CKF_USER_PIN_COUNT_LOW, 0);

    const work = tempDir("wrongpin");
    makeTree(join(work, "in"), 12, { bad: false });
    const spyLog = join(copy.dir, "spy.log");
    const r = await runCli(["sign", "in", "-r", "--out-dir", "out", "--report", "report.json", "--pkcs11-lib", SPY, ...officerRsaFlags], {
      cwd: work,
      env: { KYSO_PIN: "999999", SOFTHSM2_CONF: copy.conf, PKCS11SPY: pkcs11Lib(), PKCS11SPY_OUTPUT: spyLog },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Wrong PIN/);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /999999/, "the PIN is never echoed");

    const calls = readFileSync(spyLog, "utf8");
    assert.equal((calls.match(/^\d+: C_Login$/gm) ?? []).length, 1, "exactly one C_Login");
    assert.equal((calls.match(/^\d+: C_Sign(Init)?$/gm) ?? []).length, 0, "nothing signed");
    assert.ok(tokenFlagsAfter(copy.conf) & CKF_USER_PIN_COUNT_LOW, "the token saw the wrong PIN");

    // No output folder, no journal, no report: nothing was touched.
    assert.deepEqual(readdirSync(work).sort(), ["in"]);
  });
});
