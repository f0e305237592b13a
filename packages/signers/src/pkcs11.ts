import * as graphene from "graphene-pk11";
import { createHash } from "node:crypto";
import {
  KysoError, DIGEST_LENGTHS, digestInfo, maxSignatureLengthFor, nodeDigestName, parseCertificate,
  type DigestAlgorithm, type KeyAlgorithm, type RawSigner, type SignatureScheme,
} from "@kyso/core";
import { orderChain } from "./x509.js";

const CKF_OS_LOCKING_OK = 0x00000002;
const CKR_PIN_INCORRECT = 0xa0;
const CKR_PIN_LOCKED = 0xa4;
const CKR_PIN_LEN_RANGE = 0xa2;
const CKR_USER_ALREADY_LOGGED_IN = 0x100;
const CKR_TOKEN_NOT_PRESENT = 0xe0;
const CKR_DEVICE_REMOVED = 0x32;
const CKR_DEVICE_ERROR = 0x30;
const CKR_SESSION_HANDLE_INVALID = 0xb3;

// Token flags (PKCS#11 v2.40 §5.7, CK_TOKEN_INFO).
const CKF_USER_PIN_COUNT_LOW = 0x00010000;
const CKF_USER_PIN_FINAL_TRY = 0x00020000;
const CKF_USER_PIN_LOCKED = 0x00040000;
const CKF_LOGIN_REQUIRED = 0x00000004;

export interface PinFlags {
  countLow: boolean;
  finalTry: boolean;
  locked: boolean;
}

export function pinFlags(flags: number): PinFlags {
  return { countLow: !!(flags & CKF_USER_PIN_COUNT_LOW), finalTry: !!(flags & CKF_USER_PIN_FINAL_TRY), locked: !!(flags & CKF_USER_PIN_LOCKED) };
}

export function describePinFlags(f: PinFlags): string {
  const parts: string[] = [];
  if (f.locked) parts.push("the PIN is LOCKED");
  else if (f.finalTry) parts.push("one try left before the token locks");
  else if (f.countLow) parts.push("a wrong PIN has been entered before (count low)");
  return parts.length ? parts.join(", ") : "no warning flags set";
}

/** The PKCS#11 return code of an error thrown by pkcs11js/graphene, if any. */
export function pkcs11Code(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === "number" ? c : undefined;
}

interface LoadedModule {
  module: graphene.Module;
  users: number;
}
const modules = new Map<string, LoadedModule>();

/**
 * Loads and initializes a PKCS#11 library once per process, with CKF_OS_LOCKING_OK (SoftHSM and
 * others crash under concurrent sessions without it). Only what we initialized is finalized.
 */
export function acquireModule(library: string): graphene.Module {
  let m = modules.get(library);
  if (!m) {
    let module: graphene.Module;
    try {
      module = graphene.Module.load(library, "kyso");
    } catch (e) {
      throw new KysoError("P11_LIBRARY", `Cannot load PKCS#11 library ${library}: ${(e as Error).message}`, { cause: e });
    }
    try {
      module.initialize({ flags: CKF_OS_LOCKING_OK });
    } catch (e) {
      throw new KysoError("P11_LIBRARY", `PKCS#11 library ${library} failed to initialize`, { cause: e });
    }
    m = { module, users: 0 };
    modules.set(library, m);
  }
  m.users++;
  return m.module;
}

export function releaseModule(library: string): void {
  const m = modules.get(library);
  if (!m) return;
  if (--m.users <= 0) {
    modules.delete(library);
    try {
      m.module.finalize();
    } catch {
      /* already finalized */
    }
  }
}

export interface TokenSelector {
  tokenLabel?: string;
  tokenSerial?: string;
}

/** The slot holding the wanted token; with no selector, the only token present. */
export function findSlot(module: graphene.Module, sel: TokenSelector): graphene.Slot {
  const slots = module.getSlots(true);
  const found: { slot: graphene.Slot; label: string; serial: string }[] = [];
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    let token: graphene.Token;
    try {
      token = slot.getToken();
    } catch {
      continue;
    }
    const label = token.label.trim();
    const serial = token.serialNumber.trim();
    if (!(token.flags & graphene.TokenFlag.TOKEN_INITIALIZED)) continue;
    found.push({ slot, label, serial });
  }
  const match = found.filter(
    (t) => (sel.tokenLabel === undefined || t.label === sel.tokenLabel) && (sel.tokenSerial === undefined || t.serial.toLowerCase() === sel.tokenSerial.toLowerCase()),
  );
  if (match.length === 0) {
    const what = sel.tokenLabel ? `label "${sel.tokenLabel}"` : sel.tokenSerial ? `serial ${sel.tokenSerial}` : "any label";
    throw new KysoError("P11_TOKEN_NOT_FOUND", `No token with ${what} is present (tokens found: ${found.map((t) => `"${t.label}" (${t.serial})`).join(", ") || "none"})`);
  }
  if (match.length > 1)
    throw new KysoError("P11_TOKEN_AMBIGUOUS", `Several tokens are present (${match.map((t) => `"${t.label}"`).join(", ")}); choose one with --token-label or --token-serial`);
  return match[0].slot;
}

export interface Pkcs11SignerOptions extends TokenSelector {
  library: string;
  keyLabel?: string;
  /** CKA_ID in hexadecimal. */
  keyId?: string;
  /** Asked only once the token and key are found; never retried. */
  pin: () => Promise<string>;
  /** Extra certificates to complete the chain (e.g. the CA certificates of the issuer). */
  extraCertificates?: readonly Uint8Array[];
  /**
   * Called with the key's certificate and the token's other certificates (public objects, read
   * without login) before the PIN is asked; throwing stops here, before any login. Not called when
   * the certificate can only be told after login (a key label that no certificate label matches).
   */
  beforeLogin?: (certificate: Uint8Array, tokenCertificates: readonly Uint8Array[]) => Promise<void>;
}

/** Calls a sync graphene operation, turning PKCS#11 failures into KysoErrors with their CKR code. */
function tokenCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw tokenError(what, e);
  }
}

function tokenError(what: string, e: unknown): KysoError {
  if (e instanceof KysoError) return e;
  const code = pkcs11Code(e);
  if (code === CKR_TOKEN_NOT_PRESENT || code === CKR_DEVICE_REMOVED || code === CKR_SESSION_HANDLE_INVALID)
    return new KysoError("P11_TOKEN_REMOVED", `The token was removed or stopped answering (${what})`, { cause: e, details: { ckr: code } });
  if (code === CKR_DEVICE_ERROR) return new KysoError("P11_DEVICE_ERROR", `The token reported a device error (${what})`, { cause: e, details: { ckr: code } });
  return new KysoError("P11_ERROR", `PKCS#11 ${what} failed${code !== undefined ? ` (CKR 0x${code.toString(16)})` : ""}`, { cause: e, details: { ckr: code } });
}

/**
 * Logs the user in once. A wrong PIN fails at once with the token's PIN flags read afterwards
 * (count low, final try, locked) and is never retried: tokens lock after a few wrong PINs.
 */
export function loginUser(session: graphene.Session, slot: graphene.Slot, pin: string, tokenLabel: string): void {
  try {
    session.login(pin, graphene.UserType.USER);
  } catch (e) {
    const code = pkcs11Code(e);
    if (code === CKR_USER_ALREADY_LOGGED_IN) return;
    if (code === CKR_PIN_INCORRECT || code === CKR_PIN_LEN_RANGE || code === CKR_PIN_LOCKED) {
      let after: PinFlags = { countLow: false, finalTry: false, locked: code === CKR_PIN_LOCKED };
      try {
        after = pinFlags(slot.getToken().flags);
      } catch {
        /* keep what we know */
      }
      throw new KysoError(
        after.locked || code === CKR_PIN_LOCKED ? "P11_PIN_LOCKED" : "P11_PIN_INCORRECT",
        `Wrong PIN for token "${tokenLabel}" (${describePinFlags(after)}). Not retried: tokens lock after a few wrong PINs.`,
        { details: { pinFlags: after, ckr: code } },
      );
    }
    throw tokenError("login", e);
  }
}

/**
 * A signer over a key on a PKCS#11 token (graphene-pk11): one session and one login for the life
 * of the signer; `close()` logs out and releases the library.
 */
export class Pkcs11Signer implements RawSigner {
  private closed = false;
  private constructor(
    private readonly library: string,
    private readonly slot: graphene.Slot,
    private readonly session: graphene.Session,
    private readonly key: graphene.PrivateKey,
    readonly certificate: Uint8Array,
    readonly chain: readonly Uint8Array[],
    readonly keyAlgorithm: KeyAlgorithm,
    readonly tokenLabel: string,
    readonly keyLabel: string,
  ) {}

  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    const module = acquireModule(options.library);
    let session: graphene.Session | undefined;
    try {
      const slot = findSlot(module, options);
      const token = slot.getToken();
      const tokenLabel = token.label.trim();
      const flags = pinFlags(token.flags);
      if (flags.locked) throw new KysoError("P11_PIN_LOCKED", `The user PIN of token "${tokenLabel}" is locked; the security officer must unlock it`);
      session = tokenCall("open session", () => slot.open(graphene.SessionFlag.SERIAL_SESSION));
      const s = session;

      // Certificates are public objects: find the key's certificate before asking for the PIN.
      const certs = tokenCall("list certificates", () => s.find({ class: graphene.ObjectClass.CERTIFICATE }));
      const tokenCerts: { der: Uint8Array; id: string; label: string }[] = [];
      for (let i = 0; i < certs.length; i++) {
        const c = certs.items(i).toType<graphene.X509Certificate>();
        tokenCerts.push({ der: new Uint8Array(c.value), id: Buffer.from(c.id ?? []).toString("hex"), label: c.label });
      }
      const keyId = options.keyId?.replace(/[\s:]/g, "").toLowerCase();
      let cert = tokenCerts.find((c) => (keyId ? c.id === keyId : options.keyLabel ? c.label === options.keyLabel : false));
      if (cert && options.beforeLogin) {
        const known = cert;
        await options.beforeLogin(known.der, tokenCerts.filter((c) => c !== known).map((c) => c.der));
      }

      const pin = await options.pin();
      if ((token.flags & CKF_LOGIN_REQUIRED) || pin !== "") loginUser(s, slot, pin, tokenLabel);

      const template: graphene.ITemplate = { class: graphene.ObjectClass.PRIVATE_KEY };
      if (keyId) template.id = Buffer.from(keyId, "hex");
      else if (options.keyLabel && !cert) template.label = options.keyLabel;
      else if (cert) template.id = Buffer.from(cert.id, "hex");
      const keys = tokenCall("find key", () => s.find(template));
      const candidates: graphene.PrivateKey[] = [];
      for (let i = 0; i < keys.length; i++) candidates.push(keys.items(i).toType<graphene.PrivateKey>());
      let key: graphene.PrivateKey | undefined;
      if (candidates.length === 1) key = candidates[0];
      else if (candidates.length > 1 && !keyId && !options.keyLabel) {
        throw new KysoError(
          "P11_KEY_AMBIGUOUS",
          `Token "${tokenLabel}" holds several keys (${candidates.map((k) => `"${k.label}"`).join(", ")}); choose one with --key-label or --key-id`,
        );
      } else if (candidates.length > 1) key = candidates[0];
      if (!key) {
        const what = keyId ? `CKA_ID ${keyId}` : options.keyLabel ? `label "${options.keyLabel}"` : "any label";
        throw new KysoError("P11_KEY_NOT_FOUND", `No private key with ${what} on token "${tokenLabel}"`);
      }
      const kid = Buffer.from(key.id ?? []).toString("hex");
      cert = tokenCerts.find((c) => c.id === kid) ?? cert;
      if (!cert) throw new KysoError("P11_CERT_NOT_FOUND", `No certificate with CKA_ID ${kid} (the key's) on token "${tokenLabel}"`);
      const pool = [...tokenCerts.map((c) => c.der), ...(options.extraCertificates ?? [])];
      const parts = parseCertificate(cert.der);
      return new Pkcs11Signer(options.library, slot, s, key, cert.der, orderChain(cert.der, pool), parts.keyAlgorithm, tokenLabel, key.label);
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

  maxSignatureLength(): number {
    return maxSignatureLengthFor(this.keyAlgorithm);
  }

  /**
   * Signs with the mechanisms every token supports: CKM_RSA_PKCS over a DigestInfo, CKM_RSA_PKCS_PSS
   * and CKM_ECDSA over a digest made here (many tokens lack the combined hash-and-sign mechanisms).
   * The call runs on pkcs11js's worker thread, so the event loop keeps preparing other documents.
   */
  async sign(data: Uint8Array, scheme: SignatureScheme, digestAlg: DigestAlgorithm): Promise<Uint8Array> {
    if (this.closed) throw new KysoError("P11_CLOSED", "The token session is closed");
    const hash = createHash(nodeDigestName(digestAlg)).update(data).digest();
    let mech: graphene.MechanismType;
    let input: Buffer;
    if (scheme === "ECDSA") {
      mech = "ECDSA";
      input = hash;
    } else if (scheme === "RSA-PSS") {
      const hashMech = { "SHA-1": graphene.MechanismEnum.SHA1, "SHA-256": graphene.MechanismEnum.SHA256, "SHA-384": graphene.MechanismEnum.SHA384, "SHA-512": graphene.MechanismEnum.SHA512 }[digestAlg];
      const mgf = { "SHA-1": graphene.RsaMgf.MGF1_SHA1, "SHA-256": graphene.RsaMgf.MGF1_SHA256, "SHA-384": graphene.RsaMgf.MGF1_SHA384, "SHA-512": graphene.RsaMgf.MGF1_SHA512 }[digestAlg];
      mech = { name: "RSA_PKCS_PSS", params: new graphene.RsaPssParams(hashMech, mgf, DIGEST_LENGTHS[digestAlg]) };
      input = hash;
    } else {
      mech = "RSA_PKCS";
      input = Buffer.from(digestInfo(digestAlg, hash));
    }
    const signer = tokenCall("sign init", () => this.session.createSign(mech, this.key));
    const pending = new Promise<Buffer>((resolve, reject) => {
      signer.once(input, (err, out) => (err ? reject(tokenError("sign", err)) : resolve(out)));
    });
    this.inflight.add(pending);
    try {
      return new Uint8Array(await pending);
    } finally {
      this.inflight.delete(pending);
    }
  }

  /**
   * Whether the token is still in its slot: CKF_TOKEN_PRESENT in C_GetSlotInfo and a C_GetTokenInfo
   * that answers (a removed token gives CKR_TOKEN_NOT_PRESENT; SoftHSM keeps the slot flag for a
   * deleted token but its C_GetTokenInfo fails). Two cheap calls, no session operation, no login:
   * the agent asks every few seconds while it keeps the session.
   */
  tokenPresent(): boolean {
    if (this.closed) return false;
    try {
      const lib = this.slot.lib;
      if (!(lib.C_GetSlotInfo(this.slot.handle).flags & graphene.SlotFlag.TOKEN_PRESENT)) return false;
      lib.C_GetTokenInfo(this.slot.handle);
      return true;
    } catch {
      return false;
    }
  }

  /** Signing calls running on pkcs11js's worker thread: closing must wait for them. */
  private readonly inflight = new Set<Promise<Buffer>>();

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A C_Sign still running on the worker thread must finish before its session is closed and the
    // module finalized: tearing them down under it crashes the library (seen with SoftHSM).
    await Promise.allSettled([...this.inflight]);
    // No explicit C_Logout: the login belongs to the whole application, other signers on the same
    // token may still use it; closing the last session logs out (PKCS#11 v2.40 §5.6).
    try {
      this.session.close();
    } catch {
      /* token gone */
    }
    releaseModule(this.library);
  }
}
