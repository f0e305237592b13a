import { Pkcs11Signer, type TokenSelector } from "@kyso/signers";
import { readTokenCertificates } from "@kyso/signers/token-inventory";
import type { SignerFactory, TokenCertificate } from "./types.js";

export interface Pkcs11FactoryOptions extends TokenSelector {
  library: string;
  keyLabel?: string;
  keyId?: string;
  extraCertificates?: readonly Uint8Array[];
  /** Called right before each C_Login attempt (instrumentation: tests count logins; benchmarks). */
  onLogin?: () => void;
}

/**
 * The agent's PKCS#11 signer: Pkcs11Signer (graphene, CKF_OS_LOCKING_OK, one login, never retried)
 * with the agent's prompt giving the PIN and its check running before the login.
 */
export function pkcs11SignerFactory(o: Pkcs11FactoryOptions): SignerFactory {
  return {
    async open(hooks) {
      const s = await Pkcs11Signer.open({
        library: o.library,
        tokenLabel: o.tokenLabel,
        tokenSerial: o.tokenSerial,
        keyLabel: o.keyLabel,
        keyId: o.keyId,
        extraCertificates: o.extraCertificates,
        beforeLogin: hooks.beforeLogin,
        pin: async () => {
          const pin = await hooks.pin(o.tokenLabel ? `token "${o.tokenLabel}"` : undefined);
          o.onLogin?.();
          return pin;
        },
      });
      return { signer: s, describe: `token "${s.tokenLabel}", key "${s.keyLabel}"`, close: () => s.close(), present: () => s.tokenPresent() };
    },
    async certificates(): Promise<TokenCertificate[]> {
      const inv = await readTokenCertificates({ library: o.library, tokenLabel: o.tokenLabel, tokenSerial: o.tokenSerial });
      return inv.certificates.map((c) => ({ token: inv.token.label, label: c.label, id: c.id, der: c.der }));
    },
  };
}
