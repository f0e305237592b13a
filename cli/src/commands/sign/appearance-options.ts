import { resolve } from "node:path";
import type { Argv } from "yargs";
import type { SignOptions } from "@kyso/sign";
import { KysoError } from "@kyso/core";
import type { Io } from "../../command.js";
import { t } from "../../messages/index.js";

const KINDS = ["personal", "organization", "incoming", "attachment", "copy", "none"] as const;
const COPY_FORMS = ["SAO Y", "SAO LỤC", "TRÍCH SAO"] as const;

/** Flags for visible signatures (Decree 30/2020/NĐ-CP, Appendix I). */
export function appearanceOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option("appearance", {
      choices: KINDS,
      default: "none" as const,
      group: t("sign.group.appearance"),
      describe: t("sign.opt.appearance"),
    })
    .option("page", { type: "number", group: t("sign.group.appearance"), describe: t("sign.opt.page") })
    .option("rect", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.rect") })
    .option("anchor", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.anchor") })
    .option("anchor-offset", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.anchor-offset") })
    .option("seal-size", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.seal-size") })
    .option("signature-image", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.signature-image") })
    .option("seal-image", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.seal-image") })
    .option("title", {
      type: "string",
      group: t("sign.group.appearance"),
      describe: t("sign.opt.title"),
    })
    .option("arrival-no", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.arrival-no") })
    .option("doc-code", { type: "string", group: t("sign.group.appearance"), describe: t("sign.opt.doc-code") })
    .option("copy-form", { choices: COPY_FORMS, group: t("sign.group.appearance"), describe: t("sign.opt.copy-form") })
    .example(t("sign.example.anchor.cmd"), t("sign.example.anchor.text"))
    .example(t("sign.example.1.cmd"), t("sign.example.1.text")) as Argv<T>;
}

/**
 * --title as the appearance's lines joined by newlines: the flag may be repeated (one line each) and
 * each value may hold "\n" — typed as backslash-n, since shells do not turn it into a newline — or a
 * real newline.
 */
export function titleText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).map(String);
  const lines = values.flatMap((v) => v.split(/\\n|\r?\n/)).map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0) throw new KysoError("USAGE", t("sign.err.titleEmpty"));
  return lines.join("\n");
}

/** "36mm", "3.6cm", "102pt", "1.4in" or a bare number of millimetres -> points. */
export function parseLength(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(mm|cm|pt|in)?\s*$/i.exec(text);
  if (!m) throw new KysoError("USAGE", t("sign.err.lengthFormat", { flag, text }));
  const v = Number(m[1]);
  const unit = (m[2] ?? "mm").toLowerCase();
  const pt = unit === "pt" ? v : unit === "in" ? v * 72 : unit === "cm" ? (v * 720) / 25.4 : (v * 72) / 25.4;
  if (!(pt > 0)) throw new KysoError("USAGE", t("sign.err.lengthPositive", { flag }));
  return pt;
}

function numbers(text: string, count: number, flag: string, example: string): number[] {
  const parts = text.split(/[,\s]+/).filter(Boolean).map(Number);
  if (parts.length !== count || parts.some((n) => !Number.isFinite(n))) throw new KysoError("USAGE", t("sign.err.numbers", { flag, count, example, text }));
  return parts;
}

/**
 * Turns the appearance flags into signing options. Called once per run, before any file is signed:
 * bad flags are a KysoError "USAGE"; an organization seal on a document that carries no signature
 * is refused here for the whole run with "APPEARANCE_NO_EARLIER_SIGNATURE" (both exit code 2).
 */
export async function appearanceSignOptions(args: Record<string, unknown>, io: Io): Promise<Partial<SignOptions>> {
  const kind = (args.appearance as string | undefined) ?? "none";
  const str = (k: string): string | undefined => (typeof args[k] === "string" ? (args[k] as string) : undefined);
  const title = titleText(args.title);
  const placementFlags = ["rect", "anchor", "anchorOffset", "sealSize", "signatureImage", "sealImage", "arrivalNo", "docCode", "copyForm", "title"].filter((k) => args[k] !== undefined);
  if (kind === "none") {
    if (placementFlags.length > 0 || args.page !== undefined)
      throw new KysoError("USAGE", t("sign.err.needsAppearance", { flag: placementFlags[0]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? "page" }));
    return {};
  }
  const ap = await import("@kyso/appearance");
  if (str("rect") !== undefined && str("anchor") !== undefined) throw new KysoError("USAGE", t("sign.err.rectOrAnchor"));
  const page = args.page as number | undefined;
  if (page !== undefined && (!Number.isInteger(page) || page === 0 || page < -1e6)) throw new KysoError("USAGE", t("sign.err.page"));
  const rectText = str("rect");
  const rect = rectText === undefined ? undefined : numbers(rectText, 4, "--rect", "360,80,180,100");
  if (rect && !(rect[2] > 0 && rect[3] > 0)) throw new KysoError("USAGE", t("sign.err.rectSize"));
  const offText = str("anchorOffset");
  if (offText !== undefined && str("anchor") === undefined) throw new KysoError("USAGE", t("sign.err.offsetWithAnchor"));
  const anchorOffset = offText === undefined ? undefined : (numbers(offText, 2, "--anchor-offset", "0,-10") as [number, number]);
  const sealText = str("sealSize");
  const sealSize = sealText === undefined ? undefined : parseLength(sealText, "--seal-size");
  if (kind === "incoming" && !str("arrivalNo")) throw new KysoError("USAGE", t("sign.err.arrivalNo"));
  if (kind === "attachment" && !str("docCode")) throw new KysoError("USAGE", t("sign.err.docCode"));
  const wrong = (flag: string, kinds: string): never => {
    throw new KysoError("USAGE", t("sign.err.goesWith", { flag, kinds }));
  };
  if (str("arrivalNo") !== undefined && kind !== "incoming") wrong("arrival-no", "incoming");
  if (str("docCode") !== undefined && kind !== "attachment") wrong("doc-code", "attachment");
  if (str("copyForm") !== undefined && kind !== "copy") wrong("copy-form", "copy");
  if ((str("sealSize") !== undefined || str("sealImage") !== undefined) && kind !== "organization") wrong(str("sealSize") !== undefined ? "seal-size" : "seal-image", "organization");
  if ((str("signatureImage") !== undefined || title !== undefined) && kind !== "personal") wrong(title !== undefined ? "title" : "signature-image", "personal");

  // Fail before the token is opened: the font, the images.
  ap.loadSerifFont(undefined, io.env);
  const signatureImage = str("signatureImage") ? ap.readPngFile(resolve(io.cwd, str("signatureImage") as string), "signature image") : undefined;
  const sealImage = str("sealImage") ? ap.readPngFile(resolve(io.cwd, str("sealImage") as string), "seal image") : undefined;
  const force = args.force === true;
  if (kind === "organization") {
    const { PdfReader } = await import("@kyso/pdf");
    for (const f of (args.files as string[] | undefined) ?? []) {
      const path = resolve(io.cwd, f);
      let reader;
      try {
        reader = PdfReader.openFile(path);
      } catch {
        continue; // an unreadable input fails on its own when it is signed
      }
      try {
        ap.checkSignatureOrder(reader, f);
      } catch (e) {
        if (!force) throw e;
        io.stderr.write(`kyso: ${t("sign.warn.noEarlierSignature", { file: f })}\n`);
      } finally {
        reader.close();
      }
    }
  }
  const appearance = ap.appearanceHook({
    kind: kind as (typeof ap.APPEARANCE_KINDS)[number],
    page,
    rect: rect ? { x: rect[0], y: rect[1], w: rect[2], h: rect[3] } : undefined,
    anchor: str("anchor"),
    anchorOffset,
    sealSize,
    signatureImage,
    sealImage,
    title,
    arrivalNo: str("arrivalNo"),
    docCode: str("docCode"),
    copyForm: str("copyForm") as (typeof COPY_FORMS)[number] | undefined,
    // The run-wide check above has warned already; --force lets each document through.
    force,
  });
  return { appearance };
}
