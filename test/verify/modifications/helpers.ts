/**
 * Documents for the modification rules: signed by Kyso and by poppler (`pdfsig -add-signature`, a
 * signer we did not write), changed by hand-built incremental updates, and judged by Kyso and pdfsig.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nssSignerDb } from "@kyso/certs-test";
import { PdfArray, PdfDict, PdfName, PdfReader, PdfRef, PdfStream, PdfString, type IncrementalWriter, type WidgetSpec } from "@kyso/pdf";
import type { FileReport, SignatureReport, VerifyOptions } from "@kyso/verify";
import { load, save, update } from "../attacks.js";
import { pdfsig, verify } from "../support.js";

export { load, save, update };

export const str = (s: string): PdfString => new PdfString(new Uint8Array(Buffer.from(s, "latin1")));

export function form(text: string, bbox: number[] = [0, 0, 300, 40]): PdfStream {
  const data = new Uint8Array(Buffer.from(text, "latin1"));
  return new PdfStream(new PdfDict([["Type", PdfName.of("XObject")], ["Subtype", PdfName.of("Form")], ["BBox", new PdfArray(bbox)], ["Resources", new PdfDict([["Font", new PdfDict([["Helv", new PdfDict([["Type", PdfName.of("Font")], ["Subtype", PdfName.of("Type1")], ["BaseFont", PdfName.of("Helvetica")]])]])]])], ["Length", data.length]]), data);
}

export const amount = (s: string): string => `BT /Helv 18 Tf 2 12 Td (${s}) Tj ET`;

/**
 * An unsigned one-page document whose page draws the form XObject /Amount ("100 VND") through its
 * resources: the object a sneaky signature later rewrites. Returns its object number.
 */
export function withDrawnAmount(bytes: Uint8Array): { bytes: Buffer; xobject: number } {
  let xobject = 0;
  const out = update(bytes, (w, r) => {
    const page = r.page(0);
    const x = w.add(form(amount("100 VND")));
    xobject = x.num;
    const draw = w.add(new PdfStream(new PdfDict([["Length", 36]]), new Uint8Array(Buffer.from("q 1 0 0 1 72 500 cm /Amount Do Q    ", "latin1"))));
    const res = (r.dict(page.dict.get("Resources") ?? page.inherited.get("Resources"))?.clone() ?? new PdfDict()).set("XObject", new PdfDict([["Amount", x]]));
    const old = page.dict.get("Contents");
    const contents = old instanceof PdfArray ? old.items : old ? [old] : [];
    w.set(page.ref, page.dict.clone().set("Resources", res).set("Contents", new PdfArray([...contents, draw])));
  });
  return { bytes: out, xobject };
}

/** Adds an empty signature field `name` on page 1, its widget showing `ap` (or invisible when ap is undefined). */
export function addSignatureField(w: IncrementalWriter, r: PdfReader, name: string, ap?: PdfRef, rect = [72, 480, 372, 520], flags = 4): PdfRef {
  const page = r.page(0);
  const widget = w.add(
    new PdfDict([
      ["Type", PdfName.of("Annot")],
      ["Subtype", PdfName.of("Widget")],
      ["FT", PdfName.of("Sig")],
      ["T", str(name)],
      ["Rect", new PdfArray(ap ? rect : [0, 0, 0, 0])],
      ["F", flags],
      ["P", page.ref],
      ...(ap ? ([["AP", new PdfDict([["N", ap]])]] as [string, PdfRef | PdfDict][]) : []),
    ]),
  );
  const pageDict = w.has(page.ref) ? (w.current(page.ref) as PdfDict) : page.dict;
  const annots = r.array(pageDict.get("Annots"));
  w.set(page.ref, pageDict.clone().set("Annots", new PdfArray([...(annots?.items ?? []), widget])));
  const acroEntry = r.catalog().get("AcroForm");
  const acro = r.dict(acroEntry)?.clone() ?? new PdfDict();
  const fieldsEntry = acro.get("Fields");
  const fields = new PdfArray([...(r.array(fieldsEntry)?.items ?? []), widget]);
  if (fieldsEntry instanceof PdfRef) w.set(fieldsEntry, fields);
  else acro.set("Fields", fields);
  if (acroEntry instanceof PdfRef) w.set(acroEntry, acro);
  else w.set(r.catalogRef, r.catalog().clone().set("AcroForm", w.add(acro)));
  return widget;
}

/** A visible signature for Kyso's signer: a 300×40 box on page 1 drawing `text`. */
export function visibleWidget(text = "Signed"): WidgetSpec {
  return { pageIndex: 0, build: (w) => ({ rect: [72, 400, 372, 440], normalAppearance: w.add(form(amount(text))) }) };
}

/** poppler signs: a new invisible signature field (`-add-signature`), or the existing field `field` (`-sign`). */
export function popplerSign(input: string, output: string, field: string, existing = false): string {
  const args = ["-nssdir", `sql:${nssSignerDb}`, "-add-signature", "-nick", "officer-rsa", "-digest", "SHA256"];
  args.push(...(existing ? ["-sign", field] : ["-new-signature-field-name", field]), input, output);
  const r = spawnSync("pdfsig", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pdfsig could not sign ${input}: ${r.stderr}`);
  return output;
}

/** Kyso's verdict, revocation off (the modification verdict does not depend on it). */
export async function judge(file: string, options: VerifyOptions = {}): Promise<FileReport> {
  const report = await verify(file, { revocation: "off", ...options });
  assertIntegrityAgrees(file, report);
  return report;
}

/** pdfsig's integrity verdict ("Signature is Valid" or a digest mismatch) equals Kyso's for every signature. */
export function assertIntegrityAgrees(file: string, report: FileReport): void {
  // pdfsig also lists empty signature fields ("The signature form field is not signed."): not signatures.
  const ref = pdfsig(file).filter((p) => p.validation !== "");
  assert.equal(report.signatures.length, ref.length, `${file}: number of signatures, Kyso ${report.signatures.length} vs pdfsig ${ref.length}`);
  report.signatures.forEach((s, i) => assert.equal(s.integrity, ref[i].valid, `${file} #${i + 1}: integrity ${s.integrity} vs pdfsig "${ref[i].validation}"`));
}

export function rules(s: SignatureReport): string[] {
  return s.modifications.changes.map((c) => c.rule);
}

/** The signature assertion every case makes: the modification verdict and the rules it names. */
export function assertModifications(s: SignatureReport, allowed: boolean, mustHaveRules: string[]): void {
  const detail = JSON.stringify(s.modifications.changes.map((c) => ({ rule: c.rule, allowed: c.allowed, description: c.description })), null, 1);
  assert.equal(s.modifications.allowed, allowed, `modifications.allowed ${s.modifications.allowed}: ${detail}`);
  for (const r of mustHaveRules) assert.ok(rules(s).includes(r), `rule ${r} applied: ${detail}`);
  for (const c of s.modifications.changes) assert.ok(c.object !== undefined || c.rule === "trailing-bytes" || c.rule === "graph-too-large", `change names its object: ${c.description}`);
  assert.equal(s.subIndication === "DISALLOWED_MODIFICATION", !allowed, `sub-indication ${s.subIndication}: ${s.reasons.join("; ")}`);
}

export function fileOf(dir: string, name: string, bytes: Uint8Array): string {
  return save(join(dir, name), bytes);
}

export const bytesOf = (file: string): Buffer => Buffer.from(readFileSync(file));
