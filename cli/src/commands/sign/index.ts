import { makeOutputFolder } from "./output-folder.js";
import { dirname, join, resolve } from "node:path";
import { defineCommand, type Io } from "../../command.js";
import { signerOptions, openSigner } from "../../signer-options.js";
import { cscOptions } from "../../csc-signer.js";
import { KysoError, parseDigestAlgorithm } from "@kyso/core";
import type { BatchSummary, FileEvent } from "@kyso/sign";
import { appearanceOptions, appearanceSignOptions } from "./appearance-options.js";
import { ltvOptions, ltvSignOptions } from "./ltv-options.js";
import { SigningCheck, certificateCheckOptions } from "./check-options.js";
import { expandInputs, outputPathFor } from "./inputs.js";
import { ProgressBar } from "./progress.js";
import { reportRow, writeReport, type RunReport } from "./report.js";
import { printWarning } from "./warnings.js";
import { applyConfig } from "../../config.js";
import { checkInputs, type InputProblem } from "./input-check.js";
import { bulkTranslator, describeProblem, dryRunLabel, noUsableInputMessage, type BulkTranslate } from "./bulk-messages.js";
import { resumeCommand } from "./resume-command.js";
import { pickLang, translator, type MessageKey } from "../../i18n.js";

export { outputPathFor } from "./inputs.js";
import { currentLang, t } from "../../messages/index.js";
import { codedErrorText } from "../../messages/errors.js";

/** The fields of one `--json` event line, always all present (null where they do not apply). */
function jsonEvent(e: FileEvent): Record<string, unknown> {
  return { file: e.file, output: e.output, status: e.status, sha256: e.sha256 ?? null, signer: e.signer ?? null, ms: e.ms, error: e.error ?? null };
}

export const signCommand = defineCommand({
  command: "sign <files..>",
  describe: "sign.describe",
  builder: (y) =>
    certificateCheckOptions(ltvOptions(appearanceOptions(cscOptions(signerOptions(y)).conflicts("csc", ["p12", "token-label", "token-serial", "key-label", "key-id"]))))
      .positional("files", { type: "string", array: true, describe: t("sign.opt.files") })
      .option("recursive", { alias: "r", type: "boolean", default: false, describe: t("sign.opt.recursive") })
      .option("out-dir", { type: "string", describe: t("sign.opt.out-dir") })
      .option("suffix", { type: "string", describe: t("sign.opt.suffix") })
      .option("force", { type: "boolean", default: false, describe: t("sign.opt.force") })
      .option("reason", { type: "string", describe: t("sign.opt.reason") })
      .option("location", { type: "string", describe: t("sign.opt.location") })
      .option("contact", { type: "string", describe: t("sign.opt.contact") })
      .option("field", { type: "string", describe: t("sign.opt.field") })
      .option("certify", { choices: [1, 2, 3] as const, type: "number", describe: t("sign.opt.certify") })
      .option("subfilter", { choices: ["pades", "pkcs7"] as const, default: "pades" as const, describe: t("sign.opt.subfilter") })
      .option("digest", { choices: ["sha256", "sha384", "sha512"] as const, default: "sha256" as const, describe: t("sign.opt.digest") })
      .option("pss", { type: "boolean", default: false, describe: t("sign.opt.pss") })
      .option("concurrency", { alias: "j", type: "number", describe: t("sign.opt.concurrency") })
      .option("json", { type: "boolean", default: false, describe: t("sign.opt.json") })
      .option("report", { type: "string", describe: t("sign.opt.report") })
      .option("journal", { type: "string", describe: t("sign.opt.journal") })
      .option("resume", { type: "boolean", default: false, describe: t("sign.opt.resume") })
      .option("dry-run", { type: "boolean", default: false, describe: t("sign.opt.dry-run") })
      .option("verbose", { type: "boolean", default: false, describe: t("sign.opt.verbose") })
      .option("lang", { choices: ["en", "vi"] as const, describe: t("sign.opt.lang") })
      .example(t("sign.example.2.cmd"), t("sign.example.2.text"))
      .example(t("sign.example.3.cmd"), t("sign.example.3.text"))
      .example(t("sign.example.4.cmd"), t("sign.example.4.text"))
      .example(t("sign.example.5.cmd"), t("sign.example.5.text"))
      .example(t("sign.example.6.cmd"), t("sign.example.6.text")),
  run: async (args, io) => {
    applyConfig(args as unknown as Record<string, unknown>, io);
    const t = translator(pickLang(args.lang, io.env));
    const tb = bulkTranslator(pickLang(args.lang, io.env));
    const suffix = args.suffix ?? ".signed";
    if (!args.outDir && !suffix) throw new KysoError("USAGE", t("sign.err.emptySuffix"));
    const outDir = args.outDir ? resolve(io.cwd, args.outDir) : undefined;
    const inputs = await expandInputs(args.files as string[], { cwd: io.cwd, recursive: args.recursive, outDir, suffix });
    if (inputs.length === 0) throw new KysoError("USAGE", t("noInputs"));
    const planned = inputs.map((f) => ({ input: f.path, output: outputPathFor(f.path, outDir, suffix, f.base) }));
    // `kyso sign *.pdf` run twice in one folder: the shell names a.signed.pdf, the output of a.pdf.
    // It is the earlier run's output, not a new input (a scanned folder or quoted glob drops it already).
    const outputs = new Set(planned.map((it) => it.output));
    const items = planned.filter((it) => !outputs.has(it.input));
    const seen = new Map<string, string>();
    for (const it of items) {
      if (it.output === it.input) throw new KysoError("USAGE", t("err.overwriteInput", { input: it.input }));
      const other = seen.get(it.output);
      if (other) throw new KysoError("USAGE", t("sign.err.sameOutput", { other, input: it.input, output: it.output }));
      seen.set(it.output, it.input);
    }
    for (const it of items) if (seen.has(it.input)) throw new KysoError("USAGE", t("sign.err.inputIsOutput", { input: it.input, other: String(seen.get(it.input)) }));

    // Inputs are checked before the token is opened (issue 13): when none can be signed, a typo
    // costs no PIN and no login. Some bad among good ones are reported per file by the batch.
    const problems = await checkInputs(items.map((it) => it.input));
    if (args.dryRun) return dryRun(io, items, problems, args.json, t, tb);
    if (problems.size === items.length) {
      const list = items.map((it) => problems.get(it.input)!);
      throw new KysoError(list[0].code, noUsableInputMessage(list, tb), { details: { exitCode: 2 } });
    }

    // The certificates are checked before the PIN is asked (issue 13): the TSA's on the dry run's
    // token, the signer's as soon as it is read from the token. A refusal is exit code 2, nothing signed.
    const check = await SigningCheck.create(args as unknown as Record<string, unknown>, io, pickLang(args.lang, io.env));
    const extra = { ...(await appearanceSignOptions(args, io)), ...(await ltvSignOptions(args, io, check.checkTsa)) };
    const concurrency = args.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new KysoError("USAGE", t("sign.err.concurrency"));
    // Token, PIN and key errors surface here, before any file or folder is touched (exit code 2).
    const opened = await openSigner(args, io, { checkCertificate: (c, offered) => check.checkSigner(c, offered) });
    const started = new Date();
    const journalPath = resolve(io.cwd, args.journal ?? join(outDir ?? io.cwd, ".kyso-journal.jsonl"));
    const events: FileEvent[] = [];
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once("SIGINT", onSigint);
    let summary: BatchSummary;
    try {
      for (const d of new Set(items.map((i) => dirname(i.output)))) {
        await makeOutputFolder(d);
      }
      const journal = journalPath;
      const bar = !args.json && io.stderr.isTTY ? new ProgressBar(io.stderr, items.length) : undefined;
      const { signBatch, withChain } = await import("@kyso/sign");
      summary = await signBatch(
        items,
        // The chain completed by the check: --chain, the token's CA certificates, the trust store, AIA caIssuers.
        check.completed(opened.signer, withChain),
        {
          subFilter: args.subfilter,
          digestAlgorithm: parseDigestAlgorithm(args.digest),
          scheme: args.pss ? "RSA-PSS" : undefined,
          reason: args.reason,
          location: args.location,
          contactInfo: args.contact,
          fieldName: args.field,
          certify: args.certify as 1 | 2 | 3 | undefined,
          force: args.force,
          concurrency,
          journal,
          resume: args.resume,
          signal: controller.signal,
          onWarning: (w) => printWarning(io, w, pickLang(args.lang, io.env)),
          warnings: check.reportWarnings().filter((w) => w.level === "warning"),
          ...extra,
        },
        (e) => {
          events.push(e);
          // --resume: the files an earlier run signed are one line at the end, unless --verbose.
          if (args.resume && !args.verbose && !args.json && e.reason === "JOURNAL") {
            bar?.tick();
            return;
          }
          printEvent(io, e, args.json, bar, t);
        },
      );
      bar?.finish();
    } finally {
      process.off("SIGINT", onSigint);
      await opened.close();
    }
    const order = new Map(items.map((it, i) => [it.input, i]));
    events.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
    const first = events.find((e) => e.signerSerial);
    const report: RunReport = {
      summary: { ...summary, signer: events.find((e) => e.signer)?.signer ?? null, signerSerial: first?.signerSerial ?? null, started: started.toISOString(), finished: new Date().toISOString(), certificateCheck: check.summary(), warnings: check.reportWarnings() },
      files: events.map(reportRow),
    };
    const interrupted = summary.interrupted === true && !summary.aborted;
    if (args.report) {
      await writeReport(resolve(io.cwd, args.report), report);
      if (!args.json && !interrupted) io.stderr.write(`${t("reportWritten", { file: args.report })}\n`);
    }
    const earlier = events.filter((e) => e.reason === "JOURNAL").length;
    if (args.resume && !args.json && !interrupted && earlier > 0) io.stderr.write(`${tb("resumed", { count: earlier, file: journalPath, hint: args.verbose ? "" : tb("resumedHint") })}\n`);
    if (interrupted) {
      // Ctrl-C: one line, how far the run got and how to finish it; exit 130 (128 + SIGINT), as a shell reports it.
      if (args.json) io.stdout.write(`${JSON.stringify({ summary: report.summary })}\n`);
      const done = events.filter((e) => e.status === "signed" || e.reason === "JOURNAL" || e.reason === "OUTPUT_SIGNED").length;
      io.stderr.write(`${tb("interrupted", { signed: done, total: items.length, command: resumeCommand(process.argv.slice(2), args.files as string[]) })}\n`);
      return 130;
    }
    if (args.json) io.stdout.write(`${JSON.stringify({ summary: report.summary })}\n`);
    else {
      const secs = summary.ms / 1000;
      io.stderr.write(`${t("summary", { signed: summary.signed, skipped: summary.skipped, failed: summary.failed, seconds: secs.toFixed(1), rate: secs > 0 ? (summary.signed / secs).toFixed(1) : "0" })} (${opened.describe})\n`);
    }
    if (summary.aborted) {
      io.stderr.write(`kyso: ${t("stopped", { message: summary.aborted.message, notProcessed: summary.notProcessed })}\n`);
      return 2;
    }
    return summary.failed > 0 ? 1 : 0;
  },
});

function printEvent(io: Io, e: FileEvent, json: boolean, bar: ProgressBar | undefined, t: ReturnType<typeof translator>): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(jsonEvent(e))}\n`);
    return;
  }
  const reason = e.reason ? t(`reason${e.reason}` as MessageKey) : "";
  let line: string | undefined;
  if (e.status === "failed") line = `${t("failed")}  ${e.file}: ${e.error ? codedErrorText(e.error, currentLang()) : ""} [${e.error?.code ?? "?"}]`;
  else if (bar && e.status === "signed") line = undefined;
  else if (e.status === "signed") line = `${t("signed")}  ${e.file} -> ${e.output}`;
  else line = `${t("skipped")}  ${e.file}: ${reason}`;
  if (bar) {
    if (line) bar.note(line);
    bar.tick();
  } else if (line) (e.status === "failed" ? io.stderr : io.stdout).write(`${line}\n`);
}

/** `--dry-run`: what would be signed, and which inputs are missing or not PDFs (exit 1 if any). */
function dryRun(io: Io, items: readonly { input: string; output: string }[], problems: ReadonlyMap<string, InputProblem>, json: boolean, t: ReturnType<typeof translator>, tb: BulkTranslate): number {
  for (const it of items) {
    const p = problems.get(it.input);
    if (json) {
      const error = p ? { code: p.code, message: describeProblem(p, tb) } : null;
      io.stdout.write(`${JSON.stringify({ file: it.input, output: it.output, status: p ? "failed" : "planned", sha256: null, signer: null, ms: 0, error })}\n`);
    } else if (p) io.stdout.write(`${dryRunLabel(p, tb)}  ${describeProblem(p, tb)}\n`);
    else io.stdout.write(`${t("planned")}  ${it.input} -> ${it.output}\n`);
  }
  const good = items.length - problems.size;
  if (json) io.stdout.write(`${JSON.stringify({ summary: { total: items.length, planned: good, failed: problems.size, dryRun: true } })}\n`);
  else {
    io.stderr.write(`${t("dryRunSummary", { count: good })}\n`);
    if (problems.size) io.stderr.write(`${tb("dryProblems", { count: problems.size })}\n`);
  }
  return problems.size ? 1 : 0;
}
