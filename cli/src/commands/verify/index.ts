import { access, constants } from "node:fs/promises";
import { isAbsolute, relative } from "node:path";
import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { applyConfig } from "../../config.js";
import { pickVerifyLang, summaryLine } from "./messages.js";
import { expandInputs } from "../sign/inputs.js";
import { openReportWriter, reportOptions } from "./reports.js";
import { loadSenders, resolveVerifyOptions, verifyOptionFlags, type VerifyFlagValues } from "../../verify-options.js";
import { t } from "../../messages/index.js";

export const verifyCommand = defineCommand({
  command: "verify <files..>",
  describe: "verify.describe",
  builder: (y) =>
    verifyOptionFlags(reportOptions(y))
      .positional("files", { type: "string", array: true, describe: t("verify.opt.files") })
      .option("senders", { type: "string", describe: t("verify.opt.senders") })
      .option("recursive", { alias: "r", type: "boolean", default: false, describe: t("verify.opt.recursive") })
      .option("json", { type: "boolean", default: false, describe: t("verify.opt.json") })
      .option("lang", { choices: ["en", "vi"] as const, describe: t("verify.opt.lang") })
      .example(t("verify.example.1.cmd"), t("verify.example.1.text"))
      .example(t("verify.example.2.cmd"), t("verify.example.2.text"))
      .example(t("verify.example.3.cmd"), t("verify.example.3.text")),
  run: async (args, io) => {
    // Defaults from the config file and KYSO_* variables, below the flags (cli/README.md).
    applyConfig(args as unknown as Record<string, unknown>, io, { keys: ["trust", "lang"] });
    // Files as given, folders (their PDFs and packages; -r the whole tree) and globs, quoted or not.
    const inputs = await expandInputs(args.files as string[], { cwd: io.cwd, recursive: !!args.recursive, suffix: "", accept: (n) => /\.(pdf|edxml|xml)$/i.test(n) });
    const files = inputs.map((f) => f.path);
    if (files.length === 0) throw new KysoError("USAGE", t("verify.err.noFiles", { files: (args.files as string[]).join(" ") }));
    const names = files.map((f) => (isAbsolute(relative(io.cwd, f)) || relative(io.cwd, f).startsWith("..") ? f : relative(io.cwd, f)));
    const counts = { TOTAL_PASSED: 0, TOTAL_FAILED: 0, INDETERMINATE: 0, NO_SIGNATURE: 0, unreadable: 0 };
    const { verifyPdf, validateCertificate, CertificatePool } = await import("@kyso/verify");
    const { formatReport } = await import("./format.js");
    const options = { ...(await resolveVerifyOptions(args as unknown as VerifyFlagValues, io)), pool: new CertificatePool() };
    const anchors = options.trustAnchors ?? [];
    const senders = await loadSenders(args.senders as string | undefined, io.cwd);
    const lang = pickVerifyLang(args.lang, io.env);
    const reports: unknown[] = [];
    const reportWriter = await openReportWriter(args, io, files);
    let unreadable = false;
    let allPassed = true;
    for (const [i, file] of files.entries()) {
      try {
        await access(file, constants.R_OK);
      } catch (e) {
        io.stderr.write(`kyso: cannot read ${names[i]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        unreadable = true;
        counts.unreadable++;
        continue;
      }
      if (/\.(edxml|xml)$/i.test(file)) {
        // An edXML package (QCVN 102:2016): one report for the package, its PDFs verified as above.
        const { verifyEdxml } = await import("@kyso/edxml");
        const { readFile } = await import("node:fs/promises");
        const { formatPackageReport } = await import("./format-package.js");
        const pkg = await verifyEdxml(
          { bytes: new Uint8Array(await readFile(file)), name: names[i] },
          {
            trustAnchors: anchors,
            senders,
            verifyPdf: (a) => verifyPdf(a, options),
            validateCertificate: (der, extra) => validateCertificate(der, extra, { ...options, trustAnchors: anchors }),
          },
        );
        if (pkg.indication !== "TOTAL_PASSED") allPassed = false;
        counts[pkg.indication as keyof typeof counts]++;
        if (args.json) reports.push(pkg);
        else io.stdout.write(formatPackageReport(pkg, lang, !!io.stdout.isTTY && !io.env.NO_COLOR) + "\n");
        continue;
      }
      let report;
      try {
        report = await verifyPdf({ path: file, name: names[i] }, options);
      } catch (e) {
        if (e instanceof KysoError && e.code === "FILE_UNREADABLE") {
          io.stderr.write(`kyso: ${e.message}\n`);
          unreadable = true;
          counts.unreadable++;
          continue;
        }
        throw e;
      }
      for (const w of (await reportWriter?.write(report, i)) ?? []) if (!args.json) io.stderr.write(`kyso: report written: ${w}\n`);
      if (report.indication !== "TOTAL_PASSED") allPassed = false;
      counts[report.indication]++;
      if (args.json) reports.push(report);
      else io.stdout.write(formatReport(report, lang, !!io.stdout.isTTY && !io.env.NO_COLOR) + "\n");
    }
    await reportWriter?.close();
    if (args.json) io.stdout.write(JSON.stringify(reports, null, 2) + "\n");
    else if (files.length > 1) io.stdout.write(summaryLine(counts, lang) + "\n");
    return unreadable ? 2 : allPassed ? 0 : 1;
  },
});
