import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { KysoError, certificatesFromPemOrDer } from "@kyso/core";

/** Reads trust anchors from PEM/DER files or folders of them (.pem, .crt, .cer, .der). */
export function loadTrustAnchors(paths: string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new KysoError("TRUST_UNREADABLE", `Cannot read trust anchors from ${p}: ${(e as Error).message}`, { cause: e });
    }
    const files = st.isDirectory() ? readdirSync(p).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).map((f) => join(p, f)) : [p];
    for (const f of files) out.push(...certificatesFromPemOrDer(new Uint8Array(readFileSync(f))));
  }
  return out;
}
