import { basename, dirname, extname, join, resolve } from "node:path";
import { defineCommand } from "../../command.js";
import { signerOptions, openSigner } from "../../signer-options.js";
import { KysoError, describeError, parseDigestAlgorithm } from "@kyso/core";
import { appearanceOptions, appearanceSignOptions } from "./appearance-options.js";
import { ltvOptions, ltvSignOptions } from "./ltv-options.js";

/** Where the signed copy of `input` goes: DIR/<name>.pdf with --out-dir, else <name>.signed.pdf beside it. */
export function outputPathFor(input: string, outDir: string | undefined, suffix = ".signed"): string {
  const ext = extname(input) || ".pdf";
  const name = basename(input, extname(input));
  if (outDir) return join(outDir, `${name}${ext}`);
  return join(dirname(input), `${name}${suffix}${ext}`);
}

export const signCommand = defineCommand({
  command: "sign <files..>",
  describe: "Sign PDF documents (PAdES) with a PKCS#11 token or a PKCS#12 file",
  builder: (y) =>
    ltvOptions(appearanceOptions(signerOptions(y)))
      .positional("files", { type: "string", array: true, describe: "PDF files to sign" })
      .option("out-dir", { type: "string", describe: "Write signed files into this folder (same names)" })
      .option("suffix", { type: "string", default: ".signed", describe: "Suffix for outputs written beside the inputs" })
      .option("force", { type: "boolean", default: false, describe: "Replace existing output files" })
      .option("reason", { type: "string", describe: "Reason for signing (/Reason)" })
      .option("location", { type: "string", describe: "Location (/Location)" })
      .option("contact", { type: "string", describe: "Contact information (/ContactInfo)" })
      .option("field", { type: "string", describe: "Signature field name (an existing empty field is filled)" })
      .option("certify", { choices: [1, 2, 3] as const, type: "number", describe: "Certify (DocMDP): 1 no changes, 2 forms and signing, 3 also annotations" })
      .option("subfilter", { choices: ["pades", "pkcs7"] as const, default: "pades" as const, describe: "ETSI.CAdES.detached (pades) or adbe.pkcs7.detached (pkcs7)" })
      .option("digest", { choices: ["sha256", "sha384", "sha512"] as const, default: "sha256" as const, describe: "Digest algorithm" })
      .option("pss", { type: "boolean", default: false, describe: "RSA-PSS instead of PKCS#1 v1.5 (RSA keys)" })
      .option("json", { type: "boolean", default: false, describe: "One JSON line per file, then a summary line" })
      .example("KYSO_PIN=... kyso sign qd-123.pdf --token-label VGCA-01 --key-label officer", "Sign with a token; writes qd-123.signed.pdf")
      .example("kyso sign *.pdf --p12 me.p12 --out-dir signed/ --reason \"Phê duyệt\"", "Sign with a PKCS#12 file into a folder"),
  run: async (args, io) => {
    const files = (args.files as string[]).map((f) => resolve(io.cwd, f));
    const outDir = args.outDir ? resolve(io.cwd, args.outDir) : undefined;
    if (outDir) {
      const { mkdir } = await import("node:fs/promises");
      await mkdir(outDir, { recursive: true });
    }
    const items = files.map((input) => ({ input, output: outputPathFor(input, outDir, args.suffix) }));
    const seen = new Set<string>();
    for (const it of items) {
      if (it.output === it.input) throw new KysoError("USAGE", `Output would overwrite the input ${it.input}`);
      if (seen.has(it.output)) throw new KysoError("USAGE", `Two inputs would be written to the same output ${it.output}`);
      seen.add(it.output);
    }
    const extra = { ...(await appearanceSignOptions(args, io)), ...(await ltvSignOptions(args, io)) };
    // Token, PIN and key errors surface here, before any file is touched (exit code 2).
    const opened = await openSigner(args, io);
    const { signBatch } = await import("@kyso/sign");
    try {
      const summary = await signBatch(
        items,
        opened.signer,
        {
          subFilter: args.subfilter,
          digestAlgorithm: parseDigestAlgorithm(args.digest),
          scheme: args.pss ? "RSA-PSS" : undefined,
          reason: args.reason,
          location: args.location,
          contactInfo: args.contact,
          fieldName: args.field,
          certify: args.certify as 1 | 2 | 3 | undefined,
          overwrite: args.force,
          ...extra,
        },
        (e) => {
          if (args.json) io.stdout.write(`${JSON.stringify(e)}\n`);
          else if (e.status === "signed") io.stdout.write(`signed  ${e.file} -> ${e.output}\n`);
          else io.stderr.write(`${e.status}  ${e.file}: ${e.error?.message ?? ""}${e.error ? ` [${e.error.code}]` : ""}\n`);
        },
      );
      if (args.json) io.stdout.write(`${JSON.stringify({ summary })}\n`);
      else io.stderr.write(`${summary.signed} signed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ""} (${opened.describe})\n`);
      if (summary.aborted) {
        io.stderr.write(`kyso: run stopped: ${summary.aborted.message}\n`);
        return 2;
      }
      return summary.failed > 0 ? 1 : 0;
    } catch (e) {
      io.stderr.write(`kyso: ${describeError(e)}\n`);
      return 2;
    } finally {
      await opened.close();
    }
  },
});
