import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pki, samples } from "@kyso/certs-test";
import type { FileReport } from "@kyso/verify";
import { qpdfCheck } from "../support/judges.js";
import { sign, tempDir } from "../verify/support.js";
import { serve, type Served } from "../service/support.js";
import { MAIN_URI, VERDICT_VI, parseXml, pdfText, sha256File, vrChildren, vrElements } from "./support.js";

describe("service: reports by content negotiation on POST /api/v1/verify", function () {
  const dir = tempDir("kyso-reports-svc-");
  let srv: Served;
  let two: string;

  before(async function () {
    const one = await sign(samples.onePage, join(dir, "quyet-dinh.pdf"), "officerRsa");
    two = await sign(one, join(dir, "hai-chu-ky.pdf"), "officerEc");
    srv = await serve(["--trust", pki.root, "--audit-log", join(dir, "audit.jsonl")]);
  });
  after(async () => {
    await srv?.stop();
  });

  const post = (body: BodyInit, headers: Record<string, string>, query = ""): Promise<Response> =>
    fetch(`${srv.url}/api/v1/verify${query}`, { method: "POST", headers: { ...srv.auth, ...headers }, body });

  it("answers Accept: application/pdf with the printable report of the uploaded PDF", async function () {
    const json = (await (await post(readFileSync(two), { "content-type": "application/pdf" })).json()) as FileReport;
    const res = await post(readFileSync(two), { "content-type": "application/pdf", accept: "application/pdf" }, "?name=hai-ch%E1%BB%AF-k%C3%BD.pdf");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.match(res.headers.get("content-disposition") ?? "", /filename\*=UTF-8''hai-ch%E1%BB%AF-k%C3%BD\.report\.pdf/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    const out = join(dir, "from-service.pdf");
    writeFileSync(out, bytes);
    assert.equal((await qpdfCheck(out)).code, 0);
    const text = await pdfText(out);
    assert.ok(text.includes(sha256File(two)), "the uploaded document's SHA-256");
    assert.match(text, /Tài liệu hai-chữ-ký\.pdf/);
    assert.match(text, /Nguyễn Văn An/);
    assert.match(text, /Trần Thị Bình/);
    assert.ok(text.includes(VERDICT_VI[json.indication]));
    // English when the page asks for it.
    const en = await post(readFileSync(two), { "content-type": "application/pdf", accept: "application/pdf" }, "?lang=en");
    const enOut = join(dir, "from-service-en.pdf");
    writeFileSync(enOut, Buffer.from(await en.arrayBuffer()));
    assert.match(await pdfText(enOut), /DIGITAL SIGNATURE VALIDATION REPORT/);
  });

  it("answers Accept: application/xml with the ETSI report of a single multipart upload", async function () {
    const form = new FormData();
    form.append("file", new Blob([readFileSync(two)], { type: "application/pdf" }), "hai-chu-ky.pdf");
    const res = await post(form, { accept: "application/xml" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/xml; charset=utf-8/);
    const doc = parseXml(await res.text());
    const svrs = vrElements(doc, "SignatureValidationReport");
    assert.equal(svrs.length, 2);
    const form2 = new FormData();
    form2.append("file", new Blob([readFileSync(two)], { type: "application/pdf" }), "hai-chu-ky.pdf");
    const [json] = (await (await post(form2, {})).json()) as FileReport[];
    svrs.forEach((svr, i) => {
      const status = vrChildren(svr, "SignatureValidationStatus")[0];
      assert.equal(vrChildren(status, "MainIndication")[0].textContent, MAIN_URI[json.signatures[i].indication]);
    });
  });

  it("keeps JSON as the default and refuses a report for several files (406)", async function () {
    const plain = await post(readFileSync(two), { "content-type": "application/pdf", accept: "*/*" });
    assert.match(plain.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(((await plain.json()) as FileReport).sha256, sha256File(two));
    const form = new FormData();
    for (const n of ["a.pdf", "b.pdf"]) form.append("file", new Blob([readFileSync(two)], { type: "application/pdf" }), n);
    const res = await post(form, { accept: "application/pdf" });
    assert.equal(res.status, 406);
    assert.equal(((await res.json()) as { code: string }).code, "NOT_ACCEPTABLE");
  });
});
