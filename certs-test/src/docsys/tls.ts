import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { outDir, pki } from "../layout.js";
import { run } from "../run.js";

/**
 * The demo document system's HTTPS certificate: `127.0.0.1` and `localhost`, issued by the test
 * intermediate (so a browser or the agent that trusts the test root trusts the site). Made with
 * `openssl x509 -req` on first use into `out/docsys/`; test material only.
 */
export interface DocsysTls {
  /** Leaf then intermediate, PEM. */
  cert: string;
  key: string;
}

export const docsysTlsDir = join(outDir, "docsys");

export function docsysTls(dir = docsysTlsDir): DocsysTls {
  const cert = join(dir, "docsys.pem");
  const key = join(dir, "docsys.key.pem");
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true });
    const csr = join(dir, "docsys.csr");
    const ext = join(dir, "docsys.ext");
    const leaf = join(dir, "docsys.leaf.pem");
    run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
    run("openssl", ["req", "-new", "-key", key, "-subj", "/C=VN/O=Kyso demo document system (TEST)/CN=127.0.0.1", "-out", csr]);
    writeFileSync(
      ext,
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    );
    run("openssl", ["x509", "-req", "-in", csr, "-CA", pki.intermediate, "-CAkey", pki.intermediateKey, "-set_serial", `0x${randomBytes(16).toString("hex")}`, "-days", "825", "-sha256", "-extfile", ext, "-out", leaf]);
    writeFileSync(cert, readFileSync(leaf, "utf8") + readFileSync(pki.intermediate, "utf8"));
  }
  return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
}
