import { KysoError } from "@kyso/core";

/**
 * Reads what a PKCS#11 token carries for the issuance registry: its identity (label, serial,
 * manufacturer, model) and its certificate objects. Certificates are public objects, so no login
 * and no PIN are needed (PKCS#11 v2.40 §4.6: CKA_PRIVATE is false for certificates by default).
 */

export interface TokenInventory {
  token: { label: string; serial: string; manufacturer: string; model: string };
  certificates: { der: Uint8Array; label: string; /** CKA_ID, hexadecimal. */ id: string }[];
}

const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
const CKF_OS_LOCKING_OK = 0x2;
const CKF_SERIAL_SESSION = 0x4;

export async function readTokenCertificates(options: { library: string; tokenLabel?: string; tokenSerial?: string }): Promise<TokenInventory> {
  const graphene = await import("graphene-pk11");
  let mod: InstanceType<typeof graphene.Module>;
  try {
    mod = graphene.Module.load(options.library);
  } catch (cause) {
    throw new KysoError("P11_LIBRARY", `Cannot load the PKCS#11 library ${options.library}`, { cause });
  }
  // graphene's initialize() hides CKR_CRYPTOKI_ALREADY_INITIALIZED; call C_Initialize ourselves so
  // that we know whether this module is ours to finalize. OS locking: SoftHSM and vendor
  // middleware crash without it when several sessions run at once.
  let initializedHere = false;
  try {
    mod.lib.C_Initialize({ flags: CKF_OS_LOCKING_OK });
    initializedHere = true;
  } catch (e) {
    if ((e as { code?: number }).code !== CKR_CRYPTOKI_ALREADY_INITIALIZED)
      throw new KysoError("P11_INIT", `C_Initialize failed for ${options.library}`, { cause: e });
  }
  try {
    const slots = mod.getSlots(true);
    const candidates: { slot: ReturnType<typeof slots.items>; label: string; serial: string }[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      const t = slot.getToken();
      candidates.push({ slot, label: t.label.trim(), serial: t.serialNumber.trim() });
    }
    const matching = candidates.filter(
      (c) => (!options.tokenLabel || c.label === options.tokenLabel) && (!options.tokenSerial || c.serial === options.tokenSerial),
    );
    if (matching.length === 0) {
      const seen = candidates.map((c) => `"${c.label}" (${c.serial})`).join(", ") || "none";
      throw new KysoError("P11_TOKEN_NOT_FOUND", `No token${options.tokenLabel ? ` labelled "${options.tokenLabel}"` : ""}${options.tokenSerial ? ` with serial ${options.tokenSerial}` : ""} is present (tokens seen: ${seen})`);
    }
    if (matching.length > 1)
      throw new KysoError("P11_TOKEN_AMBIGUOUS", `${matching.length} tokens are present (${matching.map((c) => `"${c.label}" (${c.serial})`).join(", ")}); choose one with --token-label`);
    const { slot } = matching[0];
    const t = slot.getToken();
    const token = { label: t.label.trim(), serial: t.serialNumber.trim(), manufacturer: t.manufacturerID.trim(), model: t.model.trim() };
    const session = slot.open(CKF_SERIAL_SESSION);
    try {
      const certificates: TokenInventory["certificates"] = [];
      const found = session.find({ class: graphene.ObjectClass.CERTIFICATE });
      for (let i = 0; i < found.length; i++) {
        const attrs = found.items(i).getAttribute({ value: null, label: null, id: null }) as { value?: Buffer; label?: string; id?: Buffer };
        if (!attrs.value || attrs.value.length === 0) continue; // a certificate known only by URL
        certificates.push({ der: new Uint8Array(attrs.value), label: attrs.label ?? "", id: attrs.id ? attrs.id.toString("hex") : "" });
      }
      return { token, certificates };
    } finally {
      session.close();
    }
  } finally {
    if (initializedHere) mod.finalize();
  }
}
