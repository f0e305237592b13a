/**
 * The batch engine (@kyso/sign signBatch) as a library: a token session that goes away mid-run
 * stops the run cleanly, documents signed by the same certificate are skipped, and a journal
 * resumes a run.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { p12Password, pki, pkcs11Lib, ready, token } from "@kyso/certs-test";
import { certificatesFromPemOrDer } from "@kyso/core";
import { Pkcs11Signer, Pkcs12Signer } from "@kyso/signers";
import { signBatch, type FileEvent } from "@kyso/sign";
import { listFiles, makeTree, pdfsig, tempDir } from "./helpers.js";

const chain = (): Uint8Array[] => certificatesFromPemOrDer(new Uint8Array(readFileSync(pki.officerRsa.chain)));

describe("batch engine", function () {
  before(function () {
    assert.ok(ready(), "run `pnpm certs` first");
  });

  it("stops cleanly when the token session goes away mid-run, reporting every input once", async function () {
    const work = tempDir("engine-abort");
    const tree = makeTree(join(work, "in"), 60, { bad: false });
    const signer = await Pkcs11Signer.open({ library: pkcs11Lib(), tokenLabel: token.label, keyLabel: token.keys.officerRsa.label, pin: async () => token.userPin, extraCertificates: chain() });
    const items = tree.good.map((input) => ({ input, output: join(work, "out", relative(tree.root, input)) }));
    for (const it of items) mkdirSync(join(it.output, ".."), { recursive: true });
    const events: FileEvent[] = [];
    let closed = false;
    try {
      const summary = await signBatch(items, signer, { concurrency: 4 }, (e) => {
        events.push(e);
        // The session closes under the engine's feet, as when a token is pulled out.
        if (events.filter((x) => x.status === "signed").length === 10 && !closed) {
          closed = true;
          void signer.close();
        }
      });
      assert.ok(summary.aborted, "the run stopped");
      assert.equal(summary.aborted.code, "P11_CLOSED");
      assert.ok(summary.signed >= 10 && summary.signed < items.length);
      assert.equal(summary.notProcessed, items.length - summary.signed);
      assert.equal(summary.failed, 0, "documents in flight are not counted as failed documents");
    } finally {
      await signer.close();
    }
    assert.deepEqual(events.map((e) => e.file).sort(), items.map((i) => i.input).sort(), "one event per input");
    const written = listFiles(join(work, "out"));
    assert.equal(written.filter((f) => f.endsWith(".tmp")).length, 0, "no temp file left");
    const signed = events.filter((e) => e.status === "signed");
    assert.equal(written.length, signed.length, "an output exists exactly for the signed inputs");
    for (const e of events.filter((x) => x.status === "skipped")) {
      assert.equal(e.reason, "NOT_PROCESSED");
      assert.equal(existsSync(e.output), false);
    }
    const v = pdfsig(signed[signed.length - 1].output);
    assert.ok(v.ok, v.out);
  });

  it("skips a document already signed by the same certificate, signs one signed by another", async function () {
    const work = tempDir("engine-skip");
    const tree = makeTree(join(work, "in"), 3, { bad: false });
    const rsa = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password, []);
    const ec = await Pkcs12Signer.open(pki.officerEc.p12, p12Password, []);
    const first = tree.good.map((input, i) => ({ input, output: join(work, `a${i}.pdf`) }));
    const s1 = await signBatch(first, rsa, {});
    assert.equal(s1.signed, 3);
    // Sign the outputs again: with the same certificate they are skipped, with another they are signed.
    const again = first.map((it, i) => ({ input: it.output, output: join(work, `b${i}.pdf`) }));
    const events: FileEvent[] = [];
    const s2 = await signBatch(again, rsa, {}, (e) => events.push(e));
    assert.deepEqual([s2.signed, s2.skipped], [0, 3]);
    assert.ok(events.every((e) => e.reason === "ALREADY_SIGNED"));
    assert.equal(readdirSync(work).filter((f) => f.startsWith("b")).length, 0);
    const s3 = await signBatch(again, ec, {});
    assert.equal(s3.signed, 3);
    const s4 = await signBatch(again.map((it) => ({ input: it.input, output: `${it.output}.forced.pdf` })), rsa, { force: true });
    assert.equal(s4.signed, 3, "--force signs again");
  });

  it("resumes from its journal without signing a journalled document twice", async function () {
    const work = tempDir("engine-journal");
    const tree = makeTree(join(work, "in"), 8, { bad: false });
    const rsa = await Pkcs12Signer.open(pki.officerRsa.p12, p12Password, []);
    const items = tree.good.map((input, i) => ({ input, output: join(work, `o${i}.pdf`) }));
    const journal = join(work, "journal.jsonl");
    const s1 = await signBatch(items.slice(0, 5), rsa, { journal });
    assert.equal(s1.signed, 5);
    const before = items.slice(0, 5).map((i) => readFileSync(i.output));
    const events: FileEvent[] = [];
    const s2 = await signBatch(items, rsa, { journal, resume: true }, (e) => events.push(e));
    assert.deepEqual([s2.signed, s2.skipped, s2.failed], [3, 5, 0]);
    assert.deepEqual(events.filter((e) => e.status === "skipped").map((e) => e.reason), Array(5).fill("JOURNAL"));
    items.slice(0, 5).forEach((it, i) => assert.ok(readFileSync(it.output).equals(before[i]), "journalled outputs untouched"));
    const lines = readFileSync(journal, "utf8").trim().split("\n");
    assert.equal(lines.length, 1 + 8, "header + one line per signed document");
    // A journal of another certificate is refused rather than silently mixed.
    const ec = await Pkcs12Signer.open(pki.officerEc.p12, p12Password, []);
    await assert.rejects(signBatch(items, ec, { journal, resume: true }), /another certificate/);
  });
});
