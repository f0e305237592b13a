/**
 * openssl as a tool we did not write: a small CA made in the test (root -> intermediate -> leaf),
 * leaves of any key type, and `openssl cms` to sign and to judge.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

export interface Issued {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (test material, generated in the test's temp dir). */
  key: string;
  der: Uint8Array;
}

export interface SmallCa {
  dir: string;
  root: Issued;
  intermediate: Issued;
}

export type KeyType = "rsa" | "ed25519" | "ed448" | "ec";

function genKey(file: string, type: KeyType): void {
  if (type === "rsa") openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file]);
  else if (type === "ec") openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
  else openssl(["genpkey", "-algorithm", type, "-out", file]);
}

function derOf(pem: string): Uint8Array {
  return new Uint8Array(openssl(["x509", "-in", pem, "-outform", "DER"]));
}

/** RFC 5280 §4.2.1.9, §4.2.1.3, §4.2.2.1 extensions for the CA and leaf profiles. */
function extFile(dir: string, aia?: string): string {
  const f = join(dir, `ext-${randomBytes(4).toString("hex")}.cnf`);
  writeFileSync(
    f,
    [
      "[ ca ]",
      "basicConstraints = critical, CA:true",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always",
      "[ leaf ]",
      "basicConstraints = CA:false",
      "keyUsage = critical, digitalSignature, nonRepudiation",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always",
      ...(aia ? [`authorityInfoAccess = caIssuers;URI:${aia}`] : []),
      "",
    ].join("\n"),
  );
  return f;
}

/** A certificate for a new key of `type`, issued by `issuer` (cert + key PEM paths). */
export function issue(dir: string, name: string, subject: string, type: KeyType, issuer: { cert: string; key: string }, profile: "ca" | "leaf", aia?: string): Issued {
  const key = join(dir, `${name}.key.pem`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  genKey(key, type);
  openssl(["req", "-new", "-utf8", "-key", key, "-subj", subject, "-out", csr]);
  const serial = `0x${randomBytes(8).toString("hex")}`;
  openssl([
    "x509", "-req", "-in", csr, "-CA", issuer.cert, "-CAkey", issuer.key, "-set_serial", serial, "-days", "60",
    "-extfile", extFile(dir, aia), "-extensions", profile, "-out", cert,
  ]);
  return { cert, key, der: derOf(cert) };
}

/**
 * A root and an intermediate made by openssl in `dir` (RSA). Leaves are issued with {@link issue}
 * under `ca.intermediate`.
 */
export function smallCa(dir: string, label: string): SmallCa {
  const rootKey = join(dir, `${label}-root.key.pem`);
  const rootCert = join(dir, `${label}-root.pem`);
  genKey(rootKey, "rsa");
  openssl([
    "req", "-x509", "-new", "-utf8", "-key", rootKey, "-subj", `/CN=${label} Test Root/O=Kyso tests/C=VN`, "-days", "60",
    "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash",
    "-out", rootCert,
  ]);
  const root = { cert: rootCert, key: rootKey, der: derOf(rootCert) };
  const intermediate = issue(dir, `${label}-intermediate`, `/CN=${label} Test Intermediate/O=Kyso tests/C=VN`, "rsa", root, "ca");
  return { dir, root, intermediate };
}

export interface CmsVerdict {
  ok: boolean;
  output: string;
}

/**
 * `openssl cms -verify` as an independent judge of a detached (or, with no `content`, attached)
 * CMS: RFC 5652 §5.6 signature check and a path to `caFile`.
 */
export function opensslCmsVerify(cms: string, content: string | undefined, caFile: string, extraCerts?: string): CmsVerdict {
  // openssl cms -verify takes no untrusted intermediates (its -certfile only finds signers), so they
  // join the CA file: the signature and a path are still checked.
  let anchors = caFile;
  if (extraCerts) {
    anchors = `${cms}.ca.pem`;
    writeFileSync(anchors, `${readFileSync(caFile, "utf8").trim()}\n${readFileSync(extraCerts, "utf8").trim()}\n`);
  }
  const args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", cms, "-CAfile", anchors, "-purpose", "any", "-out", "/dev/null"];
  if (content) args.push("-content", content);
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}
