import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Argv } from "yargs";
import { KysoError, certificatesFromPemOrDer, type RawSigner } from "@kyso/core";
import type { Io } from "./command.js";
import { obtainP12Password, obtainPin } from "./secrets.js";
import type { CscArgs, SecretHooks } from "./csc-signer.js";
import { t } from "./messages/index.js";

/** The flags that choose a signer: a PKCS#11 token key or a PKCS#12 file. */
export function signerOptions<T>(y: Argv<T>) {
  return y
    .option("pkcs11-lib", { type: "string", describe: t("signer-options.opt.pkcs11-lib") })
    .option("token-label", { type: "string", describe: t("signer-options.opt.token-label") })
    .option("token-serial", { type: "string", describe: t("signer-options.opt.token-serial") })
    .option("key-label", { type: "string", describe: t("signer-options.opt.key-label") })
    .option("key-id", { type: "string", describe: t("signer-options.opt.key-id") })
    .option("pin-file", { type: "string", describe: t("signer-options.opt.pin-file") })
    .option("p12", { type: "string", describe: t("signer-options.opt.p12") })
    .option("chain", { type: "array", string: true, describe: t("signer-options.opt.chain") })
    .conflicts("token-label", "token-serial")
    .conflicts("key-label", "key-id")
    .conflicts("p12", ["token-label", "token-serial", "key-label", "key-id"]);
}

export interface SignerArgs extends CscArgs {
  pkcs11Lib?: string;
  tokenLabel?: string;
  tokenSerial?: string;
  keyLabel?: string;
  keyId?: string;
  pinFile?: string;
  p12?: string;
  chain?: string[];
}

export interface OpenedSigner {
  signer: RawSigner;
  describe: string;
  close(): Promise<void>;
}

export interface OpenSignerHooks extends SecretHooks {
  /**
   * Checks the signer's certificate before it is used: for a token before the PIN is asked (the
   * certificate is a public object), for a PKCS#12 file once it is opened. `offered`: the --chain
   * certificates, then the token's (or the file's). Throwing stops before any login.
   */
  checkCertificate?: (certificate: Uint8Array, offered: readonly Uint8Array[]) => Promise<void>;
}

/** Opens the signer the flags name. Token, PIN and key errors are KysoErrors (exit code 2). */
export async function openSigner(args: SignerArgs, io: Io, hooks: OpenSignerHooks = {}): Promise<OpenedSigner> {
  const extra: Uint8Array[] = [];
  // KYSO_CHAIN: a path (or several, separated by ":") to CA certificates used when --chain is absent.
  const chainFiles = args.chain ?? (io.env.KYSO_CHAIN ? io.env.KYSO_CHAIN.split(":").filter(Boolean) : []);
  for (const f of chainFiles) {
    try {
      extra.push(...certificatesFromPemOrDer(new Uint8Array(await readFile(f))));
    } catch (e) {
      throw new KysoError("USAGE", t("signer.err.certUnreadable", { file: f, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message }));
    }
  }
  if (args.csc) {
    // Remote signing (issue 15): the key stays at the service; the certificate is checked as a token's.
    const { openCscSigner } = await import("./csc-signer.js");
    return openCscSigner(args, io, { checkCertificate: hooks.checkCertificate, extraCertificates: extra, secret: hooks.secret, onApproval: hooks.onApproval });
  }
  if (args.p12) {
    const { Pkcs12Signer } = await import("@kyso/signers");
    const password = hooks.secret ? await hooks.secret({ kind: "password", label: basename(args.p12) }) : await obtainP12Password(io, args.p12);
    const signer = await Pkcs12Signer.open(args.p12, password, extra);
    await hooks.checkCertificate?.(signer.certificate, [...extra, ...signer.chain]);
    return { signer, describe: t("signer.describe.p12", { file: args.p12 }), close: async () => undefined };
  }
  const library = args.pkcs11Lib ?? io.env.KYSO_PKCS11_LIB;
  if (!library) throw new KysoError("USAGE", t("signer.err.none"));
  const { Pkcs11Signer } = await import("@kyso/signers");
  const tokenLabel = args.tokenLabel ?? (args.tokenSerial ? undefined : io.env.KYSO_TOKEN_LABEL);
  const keyLabel = args.keyLabel ?? (args.keyId ? undefined : io.env.KYSO_KEY_LABEL);
  const check = hooks.checkCertificate;
  let checked = false;
  const s = await Pkcs11Signer.open({
    library,
    tokenLabel,
    tokenSerial: args.tokenSerial,
    keyLabel,
    keyId: args.keyId,
    extraCertificates: extra,
    beforeLogin: check
      ? async (certificate, tokenCertificates) => {
          await check(certificate, [...extra, ...tokenCertificates]);
          checked = true;
        }
      : undefined,
    pin: () => (hooks.secret ? hooks.secret({ kind: "pin", label: tokenLabel ? `token "${tokenLabel}"` : "token" }) : obtainPin(io, args.pinFile, tokenLabel ? `token "${tokenLabel}"` : "the token")),
  });
  if (check && !checked) {
    // The key's certificate could only be told after login (no certificate label matches the key's):
    // checked now, still before anything is signed.
    try {
      await check(s.certificate, [...extra, ...s.chain]);
    } catch (e) {
      await s.close();
      throw e;
    }
  }
  return { signer: s, describe: t("signer.describe.token", { token: s.tokenLabel, key: s.keyLabel }), close: () => s.close() };
}
