// FieldMDP: a signature field's /Lock (ISO 32000-1 §12.7.4.5, Table 233) and the FieldMDP transform in
// a signature's /Reference (§12.8.2.4). Documents come from the generator below: a one-page form with
// two text fields and two empty signature fields, the first with the lock under test.
import assert from "node:assert/strict";
import { join } from "node:path";
import { p12Password, pki, samples } from "@kyso/certs-test";
import { PdfArray, PdfDict, PdfName, PdfReader, PdfRef, PdfStream, PdfString, type IncrementalWriter, type PdfObject } from "@kyso/pdf";
import { addPlaceholder, completeDocument, contentsLengthFor, digestCovered, signedAttributesFor, writeSignedDocument } from "@kyso/sign";
import { Pkcs12Signer } from "@kyso/signers";
import type { FileReport } from "@kyso/verify";
import { addDss, load, save, update } from "./attacks.js";
import { sign, tempDir, verify, verifyBytes } from "./support.js";

type Lock = { action: "All" | "Include" | "Exclude"; fields?: string[] };

const str = (s: string): PdfString => new PdfString(new Uint8Array(Buffer.from(s, "latin1")));
const lockDict = (l: Lock): PdfDict => {
  const d = new PdfDict([["Type", PdfName.of("SigFieldLock")], ["Action", PdfName.of(l.action)]]);
  if (l.fields) d.set("Fields", new PdfArray(l.fields.map(str)));
  return d;
};

/** Text fields HoTen and ChucVu, signature fields Sig1 (with `lock` as its /Lock) and Sig2, on page 1. */
function lockedForm(bytes: Uint8Array, lock?: Lock): Buffer {
  return update(bytes, (w, r) => {
    const page = r.page(0);
    const widget = (extra: [string, PdfObject][], rect: number[]): PdfRef =>
      w.add(new PdfDict([["Type", PdfName.of("Annot")], ["Subtype", PdfName.of("Widget")], ["Rect", new PdfArray(rect)], ["P", page.ref], ...extra]));
    const text = (name: string, y: number): PdfRef => widget([["FT", PdfName.of("Tx")], ["T", str(name)], ["DA", str("/Helv 12 Tf 0 g")]], [72, y, 300, y + 20]);
    const sig = (name: string, l?: Lock): PdfRef => widget([["FT", PdfName.of("Sig")], ["T", str(name)], ["F", 132], ...(l ? ([["Lock", lockDict(l)]] as [string, PdfObject][]) : [])], [0, 0, 0, 0]);
    const fields = [text("HoTen", 600), text("ChucVu", 560), sig("Sig1", lock), sig("Sig2")];
    const annots = r.array(page.dict.get("Annots"));
    w.set(page.ref, page.dict.clone().set("Annots", new PdfArray([...(annots?.items ?? []), ...fields])));
    const acro = w.add(new PdfDict([["Fields", new PdfArray(fields)], ["DA", str("/Helv 0 Tf 0 g")]]));
    w.set(r.catalogRef, r.catalog().clone().set("AcroForm", acro));
  });
}

function fieldRef(r: PdfReader, name: string): PdfRef {
  const fields = r.array(r.dict(r.catalog().get("AcroForm"))?.get("Fields"))?.items ?? [];
  const ref = fields.find((f) => (r.dict(f)?.get("T") as PdfString | undefined)?.asText() === name);
  if (!(ref instanceof PdfRef)) throw new Error(`no field ${name}`);
  return ref;
}

/** Fills a text field (value and appearance) in a new revision, as a form filler does. */
function fill(signed: Uint8Array, name: string, value: string, more?: (w: IncrementalWriter, r: PdfReader) => void): Buffer {
  return update(signed, (w, r) => {
    const ref = fieldRef(r, name);
    const ap = w.add(new PdfStream(new PdfDict([["Type", PdfName.of("XObject")], ["Subtype", PdfName.of("Form")], ["BBox", new PdfArray([0, 0, 228, 20])]]), new Uint8Array(Buffer.from(`BT /Helv 12 Tf 2 5 Td (${value}) Tj ET`, "latin1"))));
    w.set(ref, (r.dict(ref) as PdfDict).clone().set("V", str(value)).set("AP", new PdfDict([["N", ap]])));
    more?.(w, r);
  });
}

/**
 * Signs field Sig1 with a FieldMDP transform in the signature dictionary's /Reference: the
 * placeholder's /Reason is swapped, at the same length, for the /Reference before the covered bytes
 * are hashed, so the signature covers it.
 */
async function signWithFieldMdpReference(input: string, output: string, lock: Lock): Promise<string> {
  const signer = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password);
  const options = { fieldName: "Sig1", reason: "R".repeat(300) };
  const signingTime = new Date();
  const reader = PdfReader.openFile(input);
  let prepared;
  try {
    prepared = await addPlaceholder(reader, input, signer, options, contentsLengthFor(signer, options), signingTime);
  } finally {
    reader.close();
  }
  const update = Buffer.from(prepared.update.buffer, prepared.update.byteOffset, prepared.update.byteLength);
  const text = update.toString("latin1");
  const m = /\/Reason\s*(\(R{300}\)|<(?:52){300}>)/.exec(text);
  if (!m) throw new Error("placeholder /Reason not found");
  const fields = lock.fields ? ` /Fields [${lock.fields.map((f) => `(${f})`).join(" ")}]` : "";
  const ref = `/Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /${lock.action}${fields} /V /1.2 >> >>]`;
  assert.ok(ref.length <= m[0].length);
  update.write(ref.padEnd(m[0].length, " "), m.index, "latin1");
  const contentDigest = await digestCovered(input, prepared, "SHA-256");
  const doc = { input, prepared, contentDigest, signedAttributes: signedAttributesFor(contentDigest, signer, options, signingTime), signingTime };
  await completeDocument(doc, signer, options);
  await writeSignedDocument(doc, output, true);
  return output;
}

function assertLockedFailure(r: FileReport, field: string): void {
  assert.equal(r.indication, "TOTAL_FAILED", r.reasons.join("; "));
  assert.equal(r.subIndication, "DISALLOWED_MODIFICATION");
  const s = r.signatures.find((x) => x.field === "Sig1")!;
  assert.equal(s.subIndication, "DISALLOWED_MODIFICATION");
  assert.ok(s.integrity, "the signed revision itself is intact");
  assert.ok(s.reasons[0].includes(`"${field}"`), `the reason names the field ${field}: ${s.reasons[0]}`);
  assert.match(s.reasons[0], /locked by this signature/);
  assert.ok(s.modifications.changes.some((c) => c.field === field && c.locked && !c.allowed));
}

function assertPasses(r: FileReport): void {
  assert.equal(r.indication, "TOTAL_PASSED", r.reasons.join("; "));
}

describe("verify: FieldMDP (signature field locks)", function () {
  const dir = tempDir("kyso-fieldmdp-");
  const signedWith = async (name: string, lock?: Lock): Promise<Buffer> => {
    const form = save(join(dir, `${name}-form.pdf`), lockedForm(load(samples.onePage), lock));
    return load(await sign(form, join(dir, `${name}.pdf`), "officerRsa", { fieldName: "Sig1" }));
  };
  let include: Buffer;
  let exclude: Buffer;
  let all: Buffer;
  let none: Buffer;
  before(async function () {
    include = await signedWith("include", { action: "Include", fields: ["HoTen"] });
    exclude = await signedWith("exclude", { action: "Exclude", fields: ["HoTen"] });
    all = await signedWith("all", { action: "All" });
    none = await signedWith("none");
  });

  it("the signed forms themselves pass and report their lock", async function () {
    for (const b of [include, exclude, all, none]) assertPasses(await verifyBytes(b));
    const r = await verifyBytes(include);
    assert.deepEqual(r.signatures[0].modifications.fieldLocks, [{ action: "Include", fields: ["HoTen"], source: '/Lock of field "Sig1"' }]);
    assert.equal((await verifyBytes(none)).signatures[0].modifications.fieldLocks, undefined);
  });

  it("/Action /Include: filling a listed field fails naming it; an unlisted one may be filled", async function () {
    assertLockedFailure(await verifyBytes(fill(include, "HoTen", "Nguyen Van An")), "HoTen");
    const ok = await verifyBytes(fill(include, "ChucVu", "Chuyen vien"));
    assertPasses(ok);
    assert.equal(ok.signatures[0].modifications.level, "form-fill");
  });

  it("/Action /Exclude: every field but the listed ones is locked", async function () {
    assertLockedFailure(await verifyBytes(fill(exclude, "ChucVu", "Chuyen vien")), "ChucVu");
    assertPasses(await verifyBytes(fill(exclude, "HoTen", "Nguyen Van An")));
  });

  it("/Action /All: any field is locked; validation data may still be added", async function () {
    assertLockedFailure(await verifyBytes(fill(all, "ChucVu", "Chuyen vien")), "ChucVu");
    assertLockedFailure(await verifyBytes(fill(all, "HoTen", "Nguyen Van An")), "HoTen");
    const dss = await verifyBytes(addDss(all, [], []));
    assertPasses(dss);
    assert.equal(dss.signatures[0].modifications.level, "dss");
  });

  it("without a lock, filling any field after signing passes (the default)", async function () {
    assertPasses(await verifyBytes(fill(fill(none, "HoTen", "Nguyen Van An"), "ChucVu", "Chuyen vien")));
  });

  it("a second signature on an unlocked field after an Include lock passes", async function () {
    const path = save(join(dir, "include-then.pdf"), fill(include, "ChucVu", "Chuyen vien"));
    const r = await verify(await sign(path, join(dir, "include-two-sigs.pdf"), "orgSeal", { fieldName: "Sig2" }));
    assertPasses(r);
    assert.equal(r.signatures.length, 2);
  });

  it("dropping the /Lock in the same revision that fills the field does not lift it", async function () {
    const r = await verifyBytes(
      fill(include, "HoTen", "Nguyen Van An", (w, rd) => {
        const ref = fieldRef(rd, "Sig1");
        const d = (rd.dict(ref) as PdfDict).clone();
        d.delete("Lock");
        w.set(ref, d);
      }),
    );
    assertLockedFailure(r, "HoTen");
    assert.ok(r.signatures[0].modifications.changes.some((c) => c.field === "Sig1" && !c.allowed), "the signature field's own change is reported too");
  });

  it("a FieldMDP transform in the signature's /Reference locks fields as /Lock does", async function () {
    const form = save(join(dir, "ref-form.pdf"), lockedForm(load(samples.onePage)));
    const signed = load(await signWithFieldMdpReference(form, join(dir, "ref.pdf"), { action: "Include", fields: ["HoTen"] }));
    const base = await verifyBytes(signed);
    assertPasses(base);
    assert.deepEqual(base.signatures[0].modifications.fieldLocks, [{ action: "Include", fields: ["HoTen"], source: "/Reference FieldMDP" }]);
    assertLockedFailure(await verifyBytes(fill(signed, "HoTen", "Nguyen Van An")), "HoTen");
    assertPasses(await verifyBytes(fill(signed, "ChucVu", "Chuyen vien")));
  });
});
