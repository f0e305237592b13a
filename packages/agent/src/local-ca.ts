/**
 * The agent's local TLS material: a per-user certificate authority that can only vouch for the
 * loopback address, and the agent's server certificate issued by it.
 *
 * Why a CA and not one self-signed server certificate: browsers (Chromium's verifier, Firefox)
 * refuse a self-signed leaf used as its own trust anchor in several configurations, and a CA is
 * what `certutil -t "C,,"` and the system store expect. Why it cannot hurt beyond the loopback:
 *
 * - NameConstraints (RFC 5280 §4.2.1.10, critical) permit only dNSName `localhost` and iPAddress
 *   127.0.0.1/32, so even a copy of the CA key could not mint a certificate another site would be
 *   trusted for;
 * - BasicConstraints `cA: true, pathLenConstraint: 0` (§4.2.1.9): no sub-CA below it;
 * - the CA private key is generated in memory, used to sign the one server certificate and never
 *   written anywhere (renewal = run `kyso agent install` again, which makes a new CA).
 *
 * Keys are EC P-256 with ECDSA-SHA256 (what every TLS stack supports); serials are 16 random bytes.
 */
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from "node:crypto";
import { promises as fs } from "node:fs";
import { dirname, join, basename } from "node:path";
import { KysoError, children, contextConstructed, oid, readTlv, sequence, smallInteger, tlv, unsignedInteger, octetString, type Der } from "@kyso/core";

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  nameConstraints: "2.5.29.30",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
} as const;

/** Nickname of the CA in NSS databases and the base name of its file in the system store. */
export const LOCAL_CA_NICKNAME = "Kyso Agent Local CA";
/** File name of the CA in `/usr/local/share/ca-certificates/` (update-ca-certificates wants `.crt`). */
export const LOCAL_CA_SYSTEM_FILE = "kyso-agent-local-ca.crt";

/** Where the agent's TLS files live for a user: `$XDG_CONFIG_HOME/kyso/agent/tls/` (`~/.config` if unset). */
export interface AgentTlsPaths {
  dir: string;
  /** The server certificate, PEM (what `kyso agent` serves). */
  cert: string;
  /** The server's private key, PKCS#8 PEM, mode 0600. */
  key: string;
  /** The local CA's certificate, PEM (what browsers trust). */
  ca: string;
}

export function agentTlsPaths(configHome: string): AgentTlsPaths {
  const dir = join(configHome, "kyso", "agent", "tls");
  return { dir, cert: join(dir, "agent.pem"), key: join(dir, "agent.key.pem"), ca: join(dir, "ca.pem") };
}

/** The user's configuration directory: `$XDG_CONFIG_HOME`, else `$HOME/.config`. */
export function configHomeOf(env: NodeJS.ProcessEnv, home: string): string {
  const x = env.XDG_CONFIG_HOME;
  return x && x.startsWith("/") ? x : join(home, ".config");
}

export interface LocalCaOptions {
  /** Shown in the CA's subject, e.g. `officer@may-tinh-01`. */
  owner: string;
  /** Start of validity (the certificates are backdated by one hour for clock skew). */
  now: Date;
  /** Validity of the CA and of the server certificate, years (default 10, at most 23: UTCTime). */
  years?: number;
}

export interface LocalCaMaterial {
  caCertPem: string;
  serverCertPem: string;
  /** PKCS#8 PEM: the only private key that leaves this function. */
  serverKeyPem: string;
  /** SHA-256 of the CA certificate's DER, hex upper case with colons (as browsers show it). */
  caFingerprint256: string;
  notAfter: Date;
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const utf8String = (s: string): Der => tlv(0x0c, new Uint8Array(Buffer.from(s, "utf8")));
const TRUE: Der = new Uint8Array([0x01, 0x01, 0xff]);
/** BIT STRING with `unused` trailing bits (X.690 §8.6). */
const bitString = (unused: number, bytes: Uint8Array): Der => tlv(0x03, new Uint8Array([unused]), bytes);

/** UTCTime YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1: dates through 2049). */
function utcTime(d: Date): Der {
  if (d.getUTCFullYear() >= 2050) throw new KysoError("AGENT_TLS_VALIDITY", "The local CA cannot be valid past 2049");
  return tlv(0x17, ascii(d.toISOString().slice(2).replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z")));
}

/** A Name with one attribute per RDN, UTF8String values (RFC 5280 §4.1.2.4). */
function name(attrs: [string, string][]): Der {
  return sequence(...attrs.map(([type, value]) => tlv(0x31, sequence(oid(type), utf8String(value)))));
}

function extension(id: string, critical: boolean, value: Der): Der {
  return critical ? sequence(oid(id), TRUE, octetString(value)) : sequence(oid(id), octetString(value));
}

const SIG_ALG = sequence(oid(OID.ecdsaWithSha256));
const IP_127_0_0_1 = new Uint8Array([127, 0, 0, 1]);

function spkiOf(key: KeyObject): Der {
  return new Uint8Array(key.export({ type: "spki", format: "der" }));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdentifier(spki: Der): Uint8Array {
  const [, bits] = children(readTlv(spki));
  return new Uint8Array(createHash("sha1").update(bits.value.subarray(1)).digest());
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (§4.1), ECDSA-SHA256. */
function signedCertificate(tbs: Der, issuerKey: KeyObject): Der {
  const sig = new Uint8Array(cryptoSign("sha256", tbs, { key: issuerKey, dsaEncoding: "der" }));
  return sequence(tbs, SIG_ALG, bitString(0, sig));
}

function tbsCertificate(p: { issuer: Der; subject: Der; notBefore: Date; notAfter: Date; spki: Der; extensions: Der[] }): Der {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, 16 bytes in DER
  return sequence(
    contextConstructed(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    SIG_ALG,
    p.issuer,
    sequence(utcTime(p.notBefore), utcTime(p.notAfter)),
    p.subject,
    p.spki,
    contextConstructed(3, sequence(...p.extensions)),
  );
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

function addYears(d: Date, years: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + years);
  return r;
}

/**
 * Makes a new local CA and the agent's server certificate for `127.0.0.1` and `localhost`. The CA
 * private key exists only inside this call.
 */
export function issueLocalCa(opts: LocalCaOptions): LocalCaMaterial {
  const notBefore = new Date(opts.now.getTime() - 3600_000);
  const notAfter = addYears(opts.now, opts.years ?? 10);
  const caKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const serverKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caSpki = spkiOf(caKeys.publicKey);
  const serverSpki = spkiOf(serverKeys.publicKey);
  const caKeyId = keyIdentifier(caSpki);

  const caName = name([
    [OID.organization, "Kyso"],
    [OID.organizationalUnit, "Local signing agent (loopback only)"],
    [OID.commonName, `${LOCAL_CA_NICKNAME} — ${opts.owner}`],
  ]);
  // GeneralSubtree ::= SEQUENCE { base GeneralName } (minimum 0 and no maximum: DEFAULT, omitted).
  const permitted = tlv(
    0xa0, // permittedSubtrees [0] IMPLICIT
    sequence(tlv(0x82, ascii("localhost"))), // dNSName [2]
    sequence(tlv(0x87, new Uint8Array([127, 0, 0, 1, 255, 255, 255, 255]))), // iPAddress [7]: address + mask
  );
  const caTbs = tbsCertificate({
    issuer: caName,
    subject: caName,
    notBefore,
    notAfter,
    spki: caSpki,
    extensions: [
      extension(OID.basicConstraints, true, sequence(TRUE, smallInteger(0))), // cA, pathLenConstraint 0 (§4.2.1.9)
      extension(OID.keyUsage, true, bitString(1, new Uint8Array([0x06]))), // keyCertSign (5) | cRLSign (6)
      extension(OID.nameConstraints, true, sequence(permitted)), // §4.2.1.10
      extension(OID.subjectKeyIdentifier, false, octetString(caKeyId)),
    ],
  });
  const caDer = signedCertificate(caTbs, caKeys.privateKey);

  const serverTbs = tbsCertificate({
    issuer: caName,
    subject: name([
      [OID.organization, "Kyso"],
      [OID.commonName, "Kyso Agent"],
    ]),
    notBefore,
    notAfter,
    spki: serverSpki,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, bitString(7, new Uint8Array([0x80]))), // digitalSignature (0): ECDHE-ECDSA
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(tlv(0x87, IP_127_0_0_1), tlv(0x82, ascii("localhost")))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(serverSpki))),
      extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, caKeyId))), // keyIdentifier [0]
    ],
  });
  const serverDer = signedCertificate(serverTbs, caKeys.privateKey);

  const caCertPem = pem("CERTIFICATE", caDer);
  return {
    caCertPem,
    serverCertPem: pem("CERTIFICATE", serverDer),
    serverKeyPem: serverKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    caFingerprint256: new X509Certificate(caCertPem).fingerprint256,
    notAfter,
  };
}

/**
 * Writes a file readable by its owner only (0600), atomically (temp file beside it, fsync,
 * rename): a reader never sees half a key. Replaces an existing file.
 */
export async function writePrivateFile(target: string, content: string): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await fs.open(tmp, "wx", 0o600);
  try {
    await fh.writeFile(content);
    await fh.chmod(0o600); // whatever the umask
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new KysoError("AGENT_TLS_WRITE", `Could not write ${target}`, { cause: e });
  }
}

/** Writes the three TLS files (0600, directory 0700). */
export async function writeLocalCa(paths: AgentTlsPaths, material: LocalCaMaterial): Promise<void> {
  await fs.mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await fs.chmod(paths.dir, 0o700);
  await writePrivateFile(paths.key, material.serverKeyPem);
  await writePrivateFile(paths.cert, material.serverCertPem);
  await writePrivateFile(paths.ca, material.caCertPem);
}

/** What `kyso agent status` shows of a certificate file; undefined when the file is missing. */
export async function describeCertificateFile(path: string): Promise<{ subject: string; notAfter: Date; fingerprint256: string } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const c = new X509Certificate(text);
    return { subject: c.subject.replace(/\n/g, ", "), notAfter: new Date(c.validTo), fingerprint256: c.fingerprint256 };
  } catch (e) {
    throw new KysoError("AGENT_TLS_UNREADABLE", `${path} is not a PEM certificate`, { cause: e });
  }
}
