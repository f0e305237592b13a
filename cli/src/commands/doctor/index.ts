import { describeError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { CHECKS, type DoctorCheck } from "./checks.js";
import { t } from "../../messages/index.js";

interface DoctorArgs {
  json?: boolean;
  db?: string;
  checkUrl?: string;
  timeout: number;
}

export const doctorCommand = defineCommand<DoctorArgs>({
  command: "doctor",
  describe: "doctor.describe",
  builder: (y) =>
    y
      .usage(
        `kyso doctor [--json] [--db LOCATION] [--check-url URL]

Checks what signing and verifying need, one line each, OK or what to fix: the PKCS#11 libraries
(KYSO_PKCS11_LIB and the known middleware), the tokens present (never logs in), the trust store
(anchors, intermediates, expired ones), whether the CAs' OCSP/CRL servers answer (one request),
the database (opened read-only; migrations applied?) and the fonts of appearances and reports.
Exit status: 0 all OK, 1 something to fix.`,
      )
      .option("json", { type: "boolean", default: false, describe: t("doctor.opt.json") })
      .option("db", { type: "string", describe: t("doctor.opt.db") })
      .option("check-url", { type: "string", describe: t("doctor.opt.check-url") })
      .option("timeout", { type: "number", default: 3000, describe: t("doctor.opt.timeout") }) as never,
  run: async (args, io) => {
    const ctx = { env: io.env, cwd: io.cwd, db: args.db, checkUrl: args.checkUrl ?? (io.env.KYSO_DOCTOR_CHECK_URL || undefined), timeoutMs: args.timeout };
    const results: (DoctorCheck & { title: string })[] = [];
    for (const c of CHECKS) {
      let r: DoctorCheck;
      try {
        r = await c.run(ctx);
      } catch (e) {
        r = { id: c.id, ok: false, detail: `the check failed: ${describeError(e)}`, fix: "Report this to the Kyso maintainers with the output of kyso doctor --json." };
      }
      results.push({ ...r, title: c.title });
      if (!args.json) {
        io.stdout.write(`${r.ok ? "OK  " : "FAIL"} ${c.title}: ${r.detail}\n`);
        if (!r.ok && r.fix) io.stdout.write(`     fix: ${r.fix}\n`);
      }
    }
    const ok = results.every((r) => r.ok);
    if (args.json) io.stdout.write(JSON.stringify({ ok, checks: results }, null, 2) + "\n");
    else io.stdout.write(ok ? "All checks passed.\n" : `${results.filter((r) => !r.ok).length} of ${results.length} checks need attention.\n`);
    return ok ? 0 : 1;
  },
});
