// Field names in an encrypted document (ISO 32000-1 §7.6: strings are encrypted) are never printed
// as ciphertext in the modification report. The document is encrypted by qpdf and signed by poppler.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { samples } from "@kyso/certs-test";
import { PdfDict, PdfReader, PdfRef, serializeObject } from "@kyso/pdf";
import { tempDir } from "../support.js";
import { assertModifications, bytesOf, fileOf, judge, popplerSign } from "./helpers.js";

describe("verify modifications: encrypted documents", function () {
  const dir = tempDir("kyso-mod-enc-");

  it("a change to a field of an encrypted document names it \"(encrypted name)\"", async function () {
    const encrypted = join(dir, "enc.pdf");
    execFileSync("qpdf", ["--object-streams=disable", "--encrypt", "", "owner-pw", "128", "--use-aes=y", "--", samples.emptyField, encrypted]);
    const signed = popplerSign(encrypted, join(dir, "enc-signed.pdf"), "PopplerSig");
    // Acrobat's lock flag on the (encrypted-named) empty field's widget.
    const changed = fileOf(dir, "enc-locked.pdf", lockFirstField(bytesOf(signed)));
    const report = await judge(changed);
    const s = report.signatures[0];
    assertModifications(s, true, ["widget-lock-flag"]);
    const c = s.modifications.changes.find((x) => x.rule === "widget-lock-flag")!;
    assert.equal(c.field, "(encrypted name)");
    assert.match(c.description, /"\(encrypted name\)"/);
    for (const x of s.modifications.changes) assert.match(x.description + (x.field ?? ""), /^[\x20-\x7e]*$/, `printable: ${x.description}`);
  });
});

/**
 * Sets /F 132 on the first form field, by hand (Kyso's writer refuses encrypted documents): the
 * field's dictionary is written again under its own number, its encrypted strings as they were, so
 * a viewer decrypts them with the same object key (ISO 32000-1 §7.6.2).
 */
function lockFirstField(bytes: Buffer): Buffer {
  const r = PdfReader.fromBytes(bytes);
  const ref = r.array(r.dict(r.catalog().get("AcroForm"))?.get("Fields"))?.items[0];
  assert.ok(ref instanceof PdfRef);
  const body = `\n${ref.num} ${ref.gen} obj\n${serializeObject((r.dict(ref) as PdfDict).clone().set("F", 132))}\nendobj\n`;
  const at = bytes.length + 1;
  const xrefAt = bytes.length + Buffer.byteLength(body, "latin1");
  const keep = ["Root", "Info", "ID", "Encrypt"].filter((k) => r.trailer.has(k)).map((k) => ` /${k} ${serializeObject(r.trailer.get(k)!)}`).join("");
  const xref = `xref\n0 1\n0000000000 65535 f \n${ref.num} 1\n${String(at).padStart(10, "0")} ${String(ref.gen).padStart(5, "0")} n \ntrailer\n<< /Size ${r.size}${keep} /Prev ${r.sections[0].offset} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([bytes, Buffer.from(body + xref, "latin1")]);
}
