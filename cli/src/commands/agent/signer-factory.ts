import { basename } from "node:path";
import { KysoError } from "@kyso/core";
import type { OpenedAgentSigner, SignerFactory, TokenCertificate } from "@kyso/agent";
import type { Io } from "../../command.js";
import { connectCsc, translated } from "../../csc-signer.js";
import { openSigner, type SignerArgs } from "../../signer-options.js";

/**
 * The signer of `kyso agent --p12 FILE` and `kyso agent --csc URL …`: opened by the same code as
 * `kyso sign`'s (openSigner), with every secret asked in the agent's prompt instead of the
 * terminal: the PKCS#12 password once per session, a remote credential's PIN and OTP for each
 * authorization (the agent keeps the PIN for the request, never longer). The session keeps the
 * opened signer (the file's key, the service's OAuth token) for the idle time, as a token login.
 * PKCS#11 tokens go through @kyso/agent's pkcs11SignerFactory (token presence, one C_Login).
 */
export function agentSignerFactory(args: SignerArgs, io: Io): SignerFactory {
  if (!args.p12 && !args.csc) throw new KysoError("USAGE", "agentSignerFactory is for --p12 and --csc");
  let current: OpenedAgentSigner | undefined;
  return {
    async open(hooks) {
      const o = await openSigner(args, io, {
        checkCertificate: hooks.beforeLogin,
        secret: hooks.secret ?? ((r) => hooks.pin(r.label)),
        onApproval: hooks.approval,
      });
      const opened: OpenedAgentSigner = {
        signer: o.signer,
        describe: o.describe,
        close: async () => {
          if (current === opened) current = undefined;
          await o.close();
        },
      };
      current = opened;
      return opened;
    },
    async certificates(): Promise<TokenCertificate[]> {
      if (args.csc) {
        // The credential's certificate needs the service's sign-in only (no PIN): `credentials/info`.
        const id = args.cscCredential ?? "";
        if (current) return [{ token: new URL(args.csc).host, label: id, id, der: current.signer.certificate }];
        const client = await connectCsc(args, io);
        try {
          const credential = await client.credentialInfo(id);
          return [{ token: new URL(args.csc).host, label: id, id, der: credential.certificates[0] }];
        } catch (e) {
          throw translated(e, { credential: id });
        }
      }
      // A PKCS#12 file's certificate is behind its password: known while a session holds it open.
      return current ? [{ token: basename(args.p12 as string), label: "PKCS#12", id: "", der: current.signer.certificate }] : [];
    },
  };
}
