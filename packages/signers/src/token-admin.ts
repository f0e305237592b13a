import * as graphene from "graphene-pk11";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import {
  KysoError, children, contextConstructed, derNull, digestInfo, ecdsaRawToDer, nodeDigestName, oid, parseCertificate, readTlv,
  sequence, setOf, smallInteger, tlv, unsignedInteger, type Der, type DigestAlgorithm,
} from "@kyso/core";
import { acquireModule, describePinFlags, findSlot, loginUser, pinFlags, pkcs11Code, releaseModule, type PinFlags, type TokenSelector } from "./pkcs11.js";
import { readTokenCertificates } from "./token-inventory.js";

/**
 * Token administration for officers (`kyso token`): list slots and tokens, read certificates,
 * generate a key pair on the token, make a PKCS#10 request signed on the token, and write the
 * issued certificate back beside its key. PKCS#11 v2.40 throughout; only what we initialize is
 * finalized (acquireModule / releaseModule).
 */

export interface SlotReport {
  slotId: number;
  description: string;
  token?: {
    label: string;
    serial: string;
    manufacturer: string;
    model: string;
    initialized: boolean;
    loginRequired: boolean;
    pin: PinFlags;
    pinText: string;
  };
}

const CKF_LOGIN_REQUIRED = 0x4;
const CKF_TOKEN_INITIALIZED = 0x400;

/** Every slot of a library, with the token in it if any. No login. */
export function listSlots(library: string): SlotReport[] {
  const module = acquireModule(library);
  try {
    const slots = module.getSlots(false);
    const out: SlotReport[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      const r: SlotReport = { slotId: slot.handle.length >= 8 ? Number(slot.handle.readBigUInt64LE(0)) : i, description: slot.slotDescription.trim() };
      if (slot.flags & graphene.SlotFlag.TOKEN_PRESENT) {
        try {
          const t = slot.getToken();
          const pin = pinFlags(t.flags);
          r.token = {
            label: t.label.trim(),
            serial: t.serialNumber.trim(),
            manufacturer: t.manufacturerID.trim(),
            model: t.model.trim(),
            initialized: !!(t.flags & CKF_TOKEN_INITIALIZED),
            loginRequired: !!(t.flags & CKF_LOGIN_REQUIRED),
            pin,
            pinText: describePinFlags(pin),
          };
        } catch {
          /* a token that does not answer: listed without details */
        }
      }
      out.push(r);
    }
    return out;
  } finally {
    releaseModule(library);
  }
}

export interface TokenCertificateReport {
  label: string;
  /** CKA_ID, hex. */
  id: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  sha256: string;
  /** Whether a private key with the same CKA_ID is on the token; null when that needs a login we did not make. */
  hasPrivateKey: boolean | null;
}

function keyAlgorithmText(der: Uint8Array): string {
  const k = parseCertificate(der).keyAlgorithm;
  return k.name === "RSA" ? `RSA-${k.modulusBits}` : `EC ${k.namedCurve}`;
}

/** An open session on one token, logged in when a PIN is given. Close it with `close()`. */
export class TokenSession {
  private closed = false;
  private constructor(
    private readonly library: string,
    readonly slot: graphene.Slot,
    readonly session: graphene.Session,
    readonly tokenLabel: string,
    readonly loggedIn: boolean,
  ) {}

  /**
   * Opens a read-write session. `pin` is asked once (never retried: tokens lock after a few wrong
   * PINs); pass no `pin` for what needs no login (public objects).
   */
  static async open(options: TokenSelector & { library: string; pin?: () => Promise<string>; readWrite?: boolean }): Promise<TokenSession> {
    const module = acquireModule(options.library);
    let session: graphene.Session | undefined;
    try {
      const slot = findSlot(module, options);
      const token = slot.getToken();
      const label = token.label.trim();
      const before = pinFlags(token.flags);
      if (options.pin && before.locked) throw new KysoError("P11_PIN_LOCKED", `The user PIN of token "${label}" is locked; the security officer must unlock it`);
      const flags = graphene.SessionFlag.SERIAL_SESSION | (options.readWrite ? graphene.SessionFlag.RW_SESSION : 0);
      session = slot.open(flags);
      let loggedIn = false;
      if (options.pin) {
        const pin = await options.pin();
        loginUser(session, slot, pin, label);
        loggedIn = true;
      }
      return new TokenSession(options.library, slot, session, label, loggedIn);
    } catch (e) {
      try {
        session?.close();
      } catch {
        /* ignore */
      }
      releaseModule(options.library);
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      /* token gone */
    }
    releaseModule(this.library);
  }

  /** The CKA_IDs (hex) of the private keys visible in this session. */
  privateKeyIds(): Set<string> {
    const ids = new Set<string>();
    const keys = this.session.find({ class: graphene.ObjectClass.PRIVATE_KEY });
    for (let i = 0; i < keys.length; i++) ids.add(Buffer.from(keys.items(i).getAttribute("id") as Buffer ?? []).toString("hex"));
    return ids;
  }

  /** Every object's CKA_ID in use (keys and certificates), hex. */
  private usedIds(): Set<string> {
    const ids = new Set<string>();
    const all = this.session.find({});
    for (let i = 0; i < all.length; i++) {
      try {
        const id = all.items(i).getAttribute("id") as Buffer | null;
        if (id) ids.add(id.toString("hex"));
      } catch {
        /* objects without CKA_ID */
      }
    }
    return ids;
  }

  /**
   * Generates a key pair on the token (PKCS#11 v2.40 §5.14 C_GenerateKeyPair): the private key is
   * sensitive and not extractable, both halves share a new CKA_ID and the label.
   */
  generateKeyPair(label: string, algo: KeyAlgo): { id: string; spki: Der } {
    if (!this.loggedIn) throw new KysoError("P11_NOT_LOGGED_IN", "Key generation needs a login");
    const used = this.usedIds();
    const labelTaken = this.session.find({ label }).length > 0;
    if (labelTaken) throw new KysoError("P11_LABEL_IN_USE", `Token "${this.tokenLabel}" already holds objects labelled "${label}"; choose another --label`);
    let idHex = "";
    for (let n = 1; n < 256 && !idHex; n++) {
      const h = n.toString(16).padStart(2, "0");
      if (!used.has(h)) idHex = h;
    }
    if (!idHex) idHex = randomBytes(8).toString("hex");
    const id = Buffer.from(idHex, "hex");
    const common = { token: true, label, id };
    const priv: graphene.ITemplate = { ...common, class: graphene.ObjectClass.PRIVATE_KEY, private: true, sensitive: true, extractable: false, sign: true, decrypt: false, unwrap: false, derive: false };
    const pub: graphene.ITemplate = { ...common, class: graphene.ObjectClass.PUBLIC_KEY, private: false, verify: true, encrypt: false, wrap: false };
    let pair: graphene.IKeyPair;
    try {
      if (algo === "rsa2048" || algo === "rsa3072") {
        pair = this.session.generateKeyPair(
          graphene.KeyGenMechanism.RSA,
          { ...pub, keyType: graphene.KeyType.RSA, modulusBits: algo === "rsa2048" ? 2048 : 3072, publicExponent: Buffer.from([1, 0, 1]) },
          { ...priv, keyType: graphene.KeyType.RSA },
        );
      } else {
        const curveOid = algo === "p256" ? "1.2.840.10045.3.1.7" : "1.3.132.0.34";
        pair = this.session.generateKeyPair(
          graphene.KeyGenMechanism.EC,
          { ...pub, keyType: graphene.KeyType.EC, paramsEC: Buffer.from(oid(curveOid)) },
          { ...priv, keyType: graphene.KeyType.EC },
        );
      }
    } catch (e) {
      throw new KysoError("P11_KEYGEN", `Token "${this.tokenLabel}" could not generate a ${algo} key pair${pkcs11Code(e) !== undefined ? ` (CKR 0x${pkcs11Code(e)!.toString(16)})` : ""}`, { cause: e });
    }
    return { id: idHex, spki: spkiOfPublicKey(pair.publicKey) };
  }

  /** The public key objects on the token with their CKA_ID, label and SubjectPublicKeyInfo. */
  publicKeys(): { id: string; label: string; spki: Der; object: graphene.PublicKey }[] {
    const out: { id: string; label: string; spki: Der; object: graphene.PublicKey }[] = [];
    const found = this.session.find({ class: graphene.ObjectClass.PUBLIC_KEY });
    for (let i = 0; i < found.length; i++) {
      const k = found.items(i).toType<graphene.PublicKey>();
      try {
        out.push({ id: Buffer.from(k.id ?? []).toString("hex"), label: k.label, spki: spkiOfPublicKey(k), object: k });
      } catch {
        /* a key type we do not handle */
      }
    }
    return out;
  }

  private findPrivateKey(sel: { label?: string; id?: string }): graphene.PrivateKey {
    const t: graphene.ITemplate = { class: graphene.ObjectClass.PRIVATE_KEY };
    if (sel.id) t.id = Buffer.from(sel.id, "hex");
    else if (sel.label) t.label = sel.label;
    const found = this.session.find(t);
    if (found.length === 0) throw new KysoError("P11_KEY_NOT_FOUND", `No private key with ${sel.id ? `CKA_ID ${sel.id}` : `label "${sel.label}"`} on token "${this.tokenLabel}"`);
    if (found.length > 1) throw new KysoError("P11_KEY_AMBIGUOUS", `Several private keys match on token "${this.tokenLabel}"; use --key-id`);
    return found.items(0).toType<graphene.PrivateKey>();
  }

  /**
   * A PKCS#10 certification request (RFC 2986) for a key on the token, signed there: SHA-256 with
   * RSA PKCS#1 v1.5, or ECDSA with SHA-256 (P-256) / SHA-384 (P-384). The subject's strings are
   * UTF8String (PrintableString for C and serialNumber, as RFC 5280 requires).
   */
  async certificationRequest(sel: { label?: string; id?: string }, subject: string): Promise<Der> {
    if (!this.loggedIn) throw new KysoError("P11_NOT_LOGGED_IN", "Signing a request needs a login");
    const key = this.findPrivateKey(sel);
    const id = Buffer.from(key.id ?? []).toString("hex");
    const pub = this.publicKeys().find((p) => p.id === id);
    if (!pub) throw new KysoError("P11_KEY_NOT_FOUND", `No public key with CKA_ID ${id} (the private key's) on token "${this.tokenLabel}"`);
    const spki = pub.spki;
    const name = encodeDistinguishedName(subject);
    // CertificationRequestInfo ::= SEQUENCE { version INTEGER (0), subject Name, subjectPKInfo, attributes [0] IMPLICIT SET OF Attribute }
    const info = sequence(smallInteger(0), name, spki, contextConstructed(0));
    const isRsa = key.getAttribute("keyType") === graphene.KeyType.RSA;
    let digest: DigestAlgorithm = "SHA-256";
    let algId: Der;
    if (isRsa) algId = sequence(oid("1.2.840.113549.1.1.11"), derNull());
    else {
      const curve = readTlv(spki);
      const params = children(children(curve)[0])[1];
      const p384 = Buffer.from(params.raw).equals(Buffer.from(oid("1.3.132.0.34")));
      digest = p384 ? "SHA-384" : "SHA-256";
      algId = sequence(oid(p384 ? "1.2.840.10045.4.3.3" : "1.2.840.10045.4.3.2"));
    }
    const hash = createHash(nodeDigestName(digest)).update(info).digest();
    let sig: Uint8Array;
    try {
      if (isRsa) {
        sig = await signOnce(this.session.createSign("RSA_PKCS", key), Buffer.from(digestInfo(digest, hash)));
      } else {
        sig = ecdsaRawToDer(await signOnce(this.session.createSign("ECDSA", key), hash));
      }
    } catch (e) {
      if (e instanceof KysoError) throw e;
      throw new KysoError("P11_ERROR", `Token "${this.tokenLabel}" could not sign the request`, { cause: e });
    }
    return sequence(info, algId, tlv(0x03, new Uint8Array([0]), sig));
  }

  /**
   * Writes a certificate onto the token with the CKA_ID of the key pair it belongs to, found by
   * comparing public keys (PKCS#11 v2.40 §4.6.3: CKA_ID links a certificate to its keys).
   */
  importCertificate(der: Uint8Array, label?: string): { id: string; label: string } {
    if (!this.loggedIn) throw new KysoError("P11_NOT_LOGGED_IN", "Writing to the token needs a login");
    const cert = parseCertificate(der);
    const match = this.publicKeys().find((p) => Buffer.from(p.spki).equals(Buffer.from(cert.spki)));
    if (!match) throw new KysoError("P11_KEY_NOT_FOUND", `No key on token "${this.tokenLabel}" matches the certificate's public key`);
    const existing = this.session.find({ class: graphene.ObjectClass.CERTIFICATE, id: Buffer.from(match.id, "hex") });
    for (let i = 0; i < existing.length; i++) {
      const v = existing.items(i).getAttribute("value") as Buffer | null;
      if (v && v.equals(Buffer.from(der))) throw new KysoError("P11_CERT_EXISTS", `Token "${this.tokenLabel}" already holds this certificate (CKA_ID ${match.id})`);
    }
    const certLabel = label ?? match.label;
    try {
      this.session.create({
        class: graphene.ObjectClass.CERTIFICATE,
        certType: graphene.CertificateType.X_509,
        token: true,
        private: false,
        modifiable: true,
        label: certLabel,
        id: Buffer.from(match.id, "hex"),
        subject: Buffer.from(cert.subject),
        issuer: Buffer.from(cert.issuer),
        serial: Buffer.from(readTlvIntegerDer(cert.serial)),
        value: Buffer.from(der),
      });
    } catch (e) {
      throw new KysoError("P11_ERROR", `Token "${this.tokenLabel}" refused the certificate${pkcs11Code(e) !== undefined ? ` (CKR 0x${pkcs11Code(e)!.toString(16)})` : ""}`, { cause: e });
    }
    return { id: match.id, label: certLabel };
  }
}

export type KeyAlgo = "rsa2048" | "rsa3072" | "p256" | "p384";
export const KEY_ALGOS: readonly KeyAlgo[] = ["rsa2048", "rsa3072", "p256", "p384"];

/** CKA_SERIAL_NUMBER is the DER of the INTEGER (PKCS#11 v2.40 §4.6.3). */
function readTlvIntegerDer(contents: Uint8Array): Der {
  return tlv(0x02, contents);
}

function signOnce(signer: graphene.Sign, data: Buffer): Promise<Uint8Array> {
  return new Promise((resolve, reject) => signer.once(data, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out)))));
}

const EC_CURVES: Record<string, string> = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521" };

/** SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of an RSA or EC public key object. */
export function spkiOfPublicKey(k: graphene.PublicKey): Der {
  const type = k.getAttribute("keyType") as number;
  if (type === graphene.KeyType.RSA) {
    const attrs = k.getAttribute({ modulus: null, publicExponent: null }) as { modulus: Buffer; publicExponent: Buffer };
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
    const rsaKey = sequence(unsignedInteger(attrs.modulus), unsignedInteger(attrs.publicExponent));
    return sequence(sequence(oid("1.2.840.113549.1.1.1"), derNull()), tlv(0x03, new Uint8Array([0]), rsaKey));
  }
  if (type === graphene.KeyType.EC) {
    // CKA_EC_PARAMS: graphene names it both paramsEC and paramsECDSA and answers under either.
    const got = k.getAttribute({ paramsECDSA: null, pointEC: null }) as { paramsEC?: Buffer; paramsECDSA?: Buffer; pointEC: Buffer };
    const attrs = { paramsEC: (got.paramsECDSA ?? got.paramsEC)!, pointEC: got.pointEC };
    // CKA_EC_POINT is DER OCTET STRING(point) per PKCS#11; some tokens give the raw point.
    let point: Uint8Array = new Uint8Array(attrs.pointEC);
    if (point[0] === 0x04 && point.length > 2) {
      try {
        const t = readTlv(point);
        if (t.end === point.length && (t.value[0] === 0x04 || t.value[0] === 0x02 || t.value[0] === 0x03) && t.value.length > 1) point = t.value;
      } catch {
        /* a raw point */
      }
    }
    const curve = readTlv(new Uint8Array(attrs.paramsEC));
    if (curve.tag !== 0x06 || !EC_CURVES[decodeOidText(curve.value)]) throw new KysoError("P11_UNSUPPORTED_KEY", "Unsupported elliptic curve parameters on the token");
    return sequence(sequence(oid("1.2.840.10045.2.1"), curve.raw), tlv(0x03, new Uint8Array([0]), point));
  }
  throw new KysoError("P11_UNSUPPORTED_KEY", `Unsupported key type ${type}`);
}

function decodeOidText(value: Uint8Array): string {
  const parts: number[] = [Math.floor(value[0] / 40), value[0] % 40];
  let n = 0;
  for (let i = 1; i < value.length; i++) {
    n = n * 128 + (value[i] & 0x7f);
    if (!(value[i] & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join(".");
}

const NAME_ATTRS: Record<string, { oid: string; tag: number }> = {
  CN: { oid: "2.5.4.3", tag: 0x0c },
  SN: { oid: "2.5.4.4", tag: 0x0c },
  SERIALNUMBER: { oid: "2.5.4.5", tag: 0x13 },
  C: { oid: "2.5.4.6", tag: 0x13 },
  L: { oid: "2.5.4.7", tag: 0x0c },
  ST: { oid: "2.5.4.8", tag: 0x0c },
  STREET: { oid: "2.5.4.9", tag: 0x0c },
  O: { oid: "2.5.4.10", tag: 0x0c },
  OU: { oid: "2.5.4.11", tag: 0x0c },
  T: { oid: "2.5.4.12", tag: 0x0c },
  TITLE: { oid: "2.5.4.12", tag: 0x0c },
  GN: { oid: "2.5.4.42", tag: 0x0c },
  UID: { oid: "0.9.2342.19200300.100.1.1", tag: 0x0c },
  E: { oid: "1.2.840.113549.1.9.1", tag: 0x16 },
  EMAILADDRESS: { oid: "1.2.840.113549.1.9.1", tag: 0x16 },
};

/** Splits an RFC 4514 string on unescaped commas (or a leading-slash OpenSSL form). */
function splitDn(text: string): string[] {
  if (text.startsWith("/")) return text.slice(1).split(/(?<!\\)\//).map((s) => s.replace(/\\\//g, "/")).reverse();
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length) {
      cur += text[++i];
      continue;
    }
    if (ch === "," || ch === ";") {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * A distinguished name from text: RFC 4514 order (`CN=...,O=...,C=VN`, most specific first, so the
 * DER sequence is reversed) or OpenSSL's `/C=VN/O=.../CN=...`. One attribute per RDN.
 */
export function encodeDistinguishedName(text: string): Der {
  const parts = splitDn(text.trim()).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new KysoError("USAGE", "The subject is empty");
  const rdns: Der[] = [];
  for (const p of parts.reverse()) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new KysoError("USAGE", `"${p}" in the subject is not TYPE=value`);
    const type = p.slice(0, eq).trim().toUpperCase();
    const value = p.slice(eq + 1).trim();
    const spec = NAME_ATTRS[type];
    const typeOid = spec?.oid ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
    if (!typeOid) throw new KysoError("USAGE", `Unknown attribute type "${type}" in the subject (known: ${Object.keys(NAME_ATTRS).join(", ")})`);
    const tag = spec?.tag ?? 0x0c;
    if (tag === 0x13 && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) throw new KysoError("USAGE", `${type} must be plain ASCII letters and digits`);
    if (type === "C" && value.length !== 2) throw new KysoError("USAGE", "C must be a two-letter country code, e.g. C=VN");
    rdns.push(setOf(sequence(oid(typeOid), tlv(tag, new Uint8Array(Buffer.from(value, tag === 0x0c ? "utf8" : "latin1"))))));
  }
  return sequence(...rdns);
}

/** Certificates on a token with their details; `hasPrivateKey` needs a logged-in session (else null unless visible). */
export async function listTokenCertificates(options: TokenSelector & { library: string; pin?: () => Promise<string> }): Promise<{ token: string; certificates: TokenCertificateReport[] }> {
  const session = await TokenSession.open(options);
  try {
    // The module is initialized by us (acquireModule): readTokenCertificates sees that and leaves it initialized.
    const inv = await readTokenCertificates({ library: options.library, tokenLabel: session.tokenLabel });
    const keyIds = session.privateKeyIds();
    const certificates = inv.certificates.map((c): TokenCertificateReport => {
      const x = new X509Certificate(Buffer.from(c.der));
      return {
        label: c.label,
        id: c.id,
        subject: x.subject.replace(/\n/g, ", "),
        issuer: x.issuer.replace(/\n/g, ", "),
        serial: x.serialNumber.toLowerCase(),
        notBefore: new Date(x.validFrom).toISOString(),
        notAfter: new Date(x.validTo).toISOString(),
        keyAlgorithm: keyAlgorithmText(c.der),
        sha256: createHash("sha256").update(c.der).digest("hex"),
        hasPrivateKey: keyIds.has(c.id) ? true : session.loggedIn ? false : null,
      };
    });
    return { token: session.tokenLabel, certificates };
  } finally {
    session.close();
  }
}
