import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { join } from "node:path";
import { caDir, p12Password, pki, pkiDir, serverBase, type LeafName, leafNames } from "./layout.js";
import { run, runAsync } from "./run.js";

/** Key algorithms of the test PKI. */
export type KeySpec = "rsa2048" | "rsa3072" | "p256" | "p384";

/** A distinguished name in the order it is encoded (most significant first), for `openssl -subj`. */
export type Dn = ReadonlyArray<readonly [attribute: string, value: string]>;

const TEST_ORG = "Ban Co yeu Chinh phu (TEST)";
const AGENCY = "Ủy ban nhân dân tỉnh Phú Yên";
const PROVINCE = "Phú Yên";

export const rootDn: Dn = [["C", "VN"], ["O", TEST_ORG], ["CN", "Kyso Test Root CA"]];
export const intermediateDn: Dn = [["C", "VN"], ["O", TEST_ORG], ["CN", "Kyso Test Intermediate CA"]];

function personDn(cn: string, uid: string, title?: string): Dn {
  const dn: Array<readonly [string, string]> = [["C", "VN"], ["L", PROVINCE], ["O", AGENCY]];
  if (title) dn.push(["title", title]);
  dn.push(["UID", uid], ["CN", cn]);
  return dn;
}

/** What each leaf certificate is; the extension section names refer to {@link caConfig}. */
export interface LeafSpec {
  key: KeySpec;
  subject: Dn;
  extensions: "ext_signer" | "ext_ocsp" | "ext_tsa";
  /** Validity in days relative to now. */
  notBeforeDays: number;
  notAfterDays: number;
}

const THREE_YEARS = 3 * 365 + 1;

export const leafSpecs: Record<LeafName, LeafSpec> = {
  officerRsa: {
    key: "rsa2048",
    subject: personDn("Nguyễn Văn An", "CCCD:001085012345", "Chuyên viên"),
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  officerEc: {
    key: "p256",
    subject: personDn("Trần Thị Bình", "CCCD:001190067890", "Chuyên viên"),
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  officerEc384: {
    key: "p384",
    subject: personDn("Đỗ Minh Châu", "CCCD:001088054321", "Trưởng phòng"),
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  orgSeal: {
    key: "rsa2048",
    subject: [["C", "VN"], ["L", PROVINCE], ["O", AGENCY], ["UID", "MST:4400123456"], ["CN", AGENCY]],
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  revoked: {
    key: "rsa2048",
    subject: personDn("Phạm Văn Dũng", "CCCD:001079011223"),
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  expired: {
    key: "rsa2048",
    subject: personDn("Hoàng Thị Em", "CCCD:001192044556"),
    extensions: "ext_signer",
    notBeforeDays: -THREE_YEARS,
    notAfterDays: -365,
  },
  ocsp: {
    key: "rsa2048",
    subject: [["C", "VN"], ["O", TEST_ORG], ["CN", "Kyso Test OCSP Responder"]],
    extensions: "ext_ocsp",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  tsa: {
    key: "rsa2048",
    subject: [["C", "VN"], ["O", TEST_ORG], ["CN", "Kyso Test TSA"]],
    extensions: "ext_tsa",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
  onboard: {
    key: "rsa2048",
    subject: personDn("Lê Văn Cường", "CCCD:001087033445", "Chuyên viên"),
    extensions: "ext_signer",
    notBeforeDays: -1,
    notAfterDays: THREE_YEARS - 1,
  },
};

/** `/C=VN/O=.../CN=...` for `openssl -subj`, escaping what the parser treats specially. */
export function subjArg(dn: Dn): string {
  return dn.map(([k, v]) => `/${k}=${v.replace(/[\\/+]/g, (c) => `\\${c}`)}`).join("");
}

/** `YYMMDDHHMMSSZ` (UTCTime, RFC 5280 §4.1.2.5: dates before 2050), `days` from now, whole seconds. */
export function asn1Time(days: number, now = Date.now()): string {
  const d = new Date(Math.floor(now / 1000) * 1000 + days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(
    d.getUTCMinutes(),
  )}${p(d.getUTCSeconds())}Z`;
}

export async function generateKey(spec: KeySpec, out: string): Promise<void> {
  const opts =
    spec === "rsa2048" || spec === "rsa3072"
      ? ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${spec === "rsa2048" ? 2048 : 3072}`]
      : ["-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${spec === "p256" ? "P-256" : "P-384"}`, "-pkeyopt", "ec_param_enc:named_curve"];
  // genpkey writes unencrypted PKCS#8 PEM.
  await runAsync("openssl", ["genpkey", ...opts, "-out", out]);
}

/** A certificate authority run by `openssl ca` in `pki/ca/<name>/`. */
export interface Ca {
  name: string;
  dir: string;
  config: string;
  cert: string;
  key: string;
}

/**
 * The minimal `openssl ca` configuration: a policy that keeps every attribute we use in the order
 * given, UTF8String everywhere (`string_mask = utf8only`), and one extension section per profile.
 */
function caConfig(dir: string, cert: string, key: string): string {
  return `# Generated by certs-test/src/pki.ts. Test material only.
[ ca ]
default_ca = CA_default

[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = ${cert}
private_key = ${key}
default_md = sha256
default_crl_days = 30
policy = policy_any
preserve = yes
unique_subject = no
email_in_dn = no
copy_extensions = none
utf8 = yes
string_mask = utf8only
name_opt = RFC2253,-esc_msb
cert_opt = ca_default
crl_extensions = ext_crl

[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
title = optional
UID = optional
serialNumber = optional
commonName = supplied
emailAddress = optional

[ req ]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
prompt = no

[ req_dn ]
CN = placeholder

[ ext_crl ]
authorityKeyIdentifier = keyid:always

[ ext_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ext_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:${serverBase}/crl/root.crl

[ ext_signer ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${serverBase}/ocsp, caIssuers;URI:${serverBase}/certs/intermediate.cer
crlDistributionPoints = URI:${serverBase}/crl/intermediate.crl

[ ext_ocsp ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
# id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${serverBase}/ocsp, caIssuers;URI:${serverBase}/certs/intermediate.cer
crlDistributionPoints = URI:${serverBase}/crl/intermediate.crl

[ ext_tsa ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
# RFC 3161 §2.3: the only EKU, critical
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${serverBase}/ocsp, caIssuers;URI:${serverBase}/certs/intermediate.cer
crlDistributionPoints = URI:${serverBase}/crl/intermediate.crl
`;
}

function setupCa(name: string, cert: string, key: string): Ca {
  const dir = join(caDir, name);
  mkdirSync(join(dir, "newcerts"), { recursive: true });
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "index.txt.attr"), "unique_subject = no\n");
  writeFileSync(join(dir, "crlnumber"), "1000\n");
  const config = join(dir, "openssl.cnf");
  writeFileSync(config, caConfig(dir, cert, key));
  return { name, dir, config, cert, key };
}

/** A random positive 16-byte serial (RFC 5280 §4.1.2.2: at most 20 octets, positive). */
function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString("hex");
}

export interface IssueOptions {
  csr: string;
  out: string;
  extensions: string;
  notBeforeDays: number;
  notAfterDays: number;
  selfSign?: boolean;
}

/** Issues a certificate with `openssl ca` (so it lands in the CA's index.txt for CRLs and OCSP). */
export function issue(ca: Ca, o: IssueOptions): string {
  const serial = randomSerialHex();
  writeFileSync(join(ca.dir, "serial"), `${serial}\n`);
  const now = Date.now();
  run("openssl", [
    "ca", "-batch", "-config", ca.config, "-utf8", "-notext",
    "-in", o.csr, "-out", o.out, "-extensions", o.extensions,
    "-startdate", asn1Time(o.notBeforeDays, now), "-enddate", asn1Time(o.notAfterDays, now),
    ...(o.selfSign ? ["-selfsign", "-keyfile", ca.key] : []),
  ]);
  return serial;
}

export function makeCsr(key: string, dn: Dn, out: string, config: string): void {
  run("openssl", ["req", "-new", "-config", config, "-utf8", "-key", key, "-subj", subjArg(dn), "-out", out, "-sha256"]);
}

export interface Pki {
  root: Ca;
  intermediate: Ca;
}

const leafList = Object.keys(leafNames) as LeafName[];
/** Leaves whose keys are generated here as files (onboard's key is generated on the token). */
export const fileLeaves: LeafName[] = leafList.filter((n) => n !== "onboard");

/** Root, intermediate, and every leaf with a key file, its PKCS#12 and chain file. */
export async function generatePki(): Promise<Pki> {
  mkdirSync(pkiDir, { recursive: true });
  const csrDir = join(caDir, "csr");
  mkdirSync(csrDir, { recursive: true });

  // Key generation is the slow part: run it on both cores.
  await Promise.all([
    generateKey("rsa3072", pki.rootKey),
    generateKey("rsa2048", pki.intermediateKey),
    ...fileLeaves.map((n) => generateKey(leafSpecs[n].key, pki[n].key)),
  ]);

  const root = setupCa("root", pki.root, pki.rootKey);
  const intermediate = setupCa("intermediate", pki.intermediate, pki.intermediateKey);

  makeCsr(pki.rootKey, rootDn, join(csrDir, "root.csr"), root.config);
  issue(root, {
    csr: join(csrDir, "root.csr"), out: pki.root, extensions: "ext_root",
    notBeforeDays: -1, notAfterDays: 20 * 365 + 5 - 1, selfSign: true,
  });
  makeCsr(pki.intermediateKey, intermediateDn, join(csrDir, "intermediate.csr"), root.config);
  issue(root, {
    csr: join(csrDir, "intermediate.csr"), out: pki.intermediate, extensions: "ext_intermediate",
    notBeforeDays: -1, notAfterDays: 10 * 365 + 2 - 1,
  });
  const chainPem = readFileSync(pki.intermediate, "utf8") + readFileSync(pki.root, "utf8");

  for (const n of fileLeaves) {
    const spec = leafSpecs[n];
    const csr = join(csrDir, `${leafNames[n]}.csr`);
    makeCsr(pki[n].key, spec.subject, csr, intermediate.config);
    issueLeaf(intermediate, n, csr);
    writeFileSync(pki[n].chain, chainPem);
    writeP12(n);
  }
  return { root, intermediate };
}

export function issueLeaf(intermediate: Ca, n: LeafName, csr: string): void {
  const spec = leafSpecs[n];
  issue(intermediate, {
    csr, out: pki[n].cert, extensions: spec.extensions,
    notBeforeDays: spec.notBeforeDays, notAfterDays: spec.notAfterDays,
  });
}

function writeP12(n: LeafName): void {
  // The password goes through the environment, not the command line.
  run(
    "openssl",
    ["pkcs12", "-export", "-inkey", pki[n].key, "-in", pki[n].cert, "-certfile", pki[n].chain,
      "-name", leafNames[n], "-passout", "env:KYSO_P12_PASS", "-out", pki[n].p12],
    { env: { ...process.env, KYSO_P12_PASS: p12Password } },
  );
}

/** Revokes `revoked` (keyCompromise) and writes both CRLs, PEM and DER, next update in 30 days. */
export function generateCrls(p: Pki): void {
  run("openssl", ["ca", "-batch", "-config", p.intermediate.config, "-revoke", pki.revoked.cert, "-crl_reason", "keyCompromise"]);
  for (const [ca, pem, der] of [
    [p.intermediate, pki.intermediateCrlPem, pki.intermediateCrl],
    [p.root, pki.rootCrlPem, pki.rootCrl],
  ] as const) {
    run("openssl", ["ca", "-batch", "-config", ca.config, "-gencrl", "-crldays", "30", "-out", pem]);
    run("openssl", ["crl", "-in", pem, "-outform", "DER", "-out", der]);
  }
}

export interface CertRecord {
  name: string;
  /** Path relative to `certs-test/out/pki/`. */
  file: string;
  /** Absolute path. */
  path: string;
  serialHex: string;
  /** RFC 4514 string, as `openssl x509 -nameopt RFC2253,-esc_msb` prints it. */
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

/** `pki/all-certs.json`: every certificate generated. */
export function writeCertIndex(): CertRecord[] {
  const entries: Array<[string, string]> = [
    ["root", pki.root],
    ["intermediate", pki.intermediate],
    ...leafList.map((n): [string, string] => [leafNames[n], pki[n].cert]),
  ];
  const records = entries.map(([name, path]): CertRecord => {
    const x = new X509Certificate(readFileSync(path));
    const names = run("openssl", ["x509", "-in", path, "-noout", "-subject", "-issuer", "-nameopt", "RFC2253", "-nameopt", "-esc_msb"]);
    const subject = /^subject=(.*)$/m.exec(names)?.[1] ?? "";
    const issuer = /^issuer=(.*)$/m.exec(names)?.[1] ?? "";
    return {
      name,
      file: path.slice(pkiDir.length + 1),
      path,
      serialHex: x.serialNumber.toLowerCase(),
      subject,
      issuer,
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      sha256: createHash("sha256").update(x.raw).digest("hex"),
    };
  });
  writeFileSync(pki.allCerts, `${JSON.stringify(records, null, 2)}\n`);
  return records;
}
