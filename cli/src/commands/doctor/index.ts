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
      .usage(t("doctor.usage"))
      .option("json", { type: "boolean", default: false, describe: t("doctor.opt.json") })
      .option("db", { type: "string", describe: t("doctor.opt.db") })
      .option("check-url", { type: "string", describe: t("doctor.opt.check-url") })
      .option("timeout", { type: "number", default: 3000, describe: t("doctor.opt.timeout") }) as never,
  run: async (args, io) => {
    const ctx = { env: io.env, cwd: io.cwd, db: args.db, checkUrl: args.checkUrl ?? (io.env.KYSO_DOCTOR_CHECK_URL || undefined), timeoutMs: args.timeout, tr: t };
    const results: (DoctorCheck & { title: string })[] = [];
    for (const c of CHECKS) {
      let r: DoctorCheck;
      try {
        r = await c.run(ctx);
      } catch (e) {
        r = { id: c.id, ok: false, detail: t("doctor.checkFailed", { detail: describeError(e) }), fix: t("doctor.checkFailed.fix") };
      }
      const title = t(`doctor.title.${c.id}`);
      results.push({ ...r, title });
      if (!args.json) {
        io.stdout.write(`${t(r.ok ? "doctor.ok" : "doctor.fail")} ${title}: ${r.detail}\n`);
        if (!r.ok && r.fix) io.stdout.write(`     ${t("doctor.fixLabel")}: ${r.fix}\n`);
      }
    }
    const ok = results.every((r) => r.ok);
    if (args.json) io.stdout.write(JSON.stringify({ ok, checks: results }, null, 2) + "\n");
    else io.stdout.write(`${ok ? t("doctor.allPassed") : t("doctor.needAttention", { failed: results.filter((r) => !r.ok).length, total: results.length })}\n`);
    return ok ? 0 : 1;
  },
});
