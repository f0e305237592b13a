import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { KysoError, certificatesFromPemOrDer, describeError, writeFileAtomic } from "@kyso/core";
import { defineCommand, type Io } from "../../command.js";
import { applyConfig } from "../../config.js";
import { pickLang, translator, type Translate } from "../../i18n.js";
import { obtainPin } from "../../secrets.js";
import { t } from "../../messages/index.js";
import { shownTime } from "../../time.js";

const ACTIONS = ["list", "certs", "keygen", "csr", "import-cert"] as const;
type Action = (typeof ACTIONS)[number];

interface TokenArgs {
  action: Action;
  pkcs11Lib?: string;
  tokenLabel?: string;
  tokenSerial?: string;
  pinFile?: string;
  json: boolean;
  login?: boolean;
  label?: string;
  algo?: "rsa2048" | "rsa3072" | "p256" | "p384";
  keyLabel?: string;
  keyId?: string;
  subject?: string;
  out?: string;
  cert?: string;
  lang?: "en" | "vi";
  config?: string;
}

const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;

/** The library to use: the flag (or KYSO_PKCS11_LIB / config), else the first known middleware with a matching token. */
async function chooseLibrary(args: TokenArgs, io: Io, t: Translate): Promise<string> {
  if (args.pkcs11Lib) return args.pkcs11Lib;
  const { findMiddleware, listSlots } = await import("@kyso/signers");
  const found = findMiddleware();
  const { KNOWN_MIDDLEWARE } = await import("@kyso/signers");
  if (found.length === 0) throw new KysoError("P11_NO_MIDDLEWARE", t("noLibrary", { names: KNOWN_MIDDLEWARE.map((m) => m.file).join(", ") }));
  for (const m of found) {
    let slots;
    try {
      slots = listSlots(m.path);
    } catch {
      continue;
    }
    const match = slots.some((s) => s.token?.initialized && (!args.tokenLabel || s.token.label === args.tokenLabel) && (!args.tokenSerial || s.token.serial.toLowerCase() === args.tokenSerial.toLowerCase()));
    if (match) {
      io.stderr.write(`${t("usingLibrary", { library: m.path, how: `${m.name}, ${t("foundBy")}` })}\n`);
      return m.path;
    }
  }
  throw new KysoError("P11_TOKEN_NOT_FOUND", args.tokenLabel ? t("token.err.notFoundLabel", { label: args.tokenLabel, paths: found.map((m) => m.path).join(", ") }) : t("token.err.notFound", { paths: found.map((m) => m.path).join(", ") }));
}

function pinSource(args: TokenArgs, io: Io, label: string): () => Promise<string> {
  return () => obtainPin(io, args.pinFile, label ? `token "${label}"` : "the token");
}

async function list(args: TokenArgs, io: Io, t: Translate): Promise<number> {
  const { findMiddleware, listSlots } = await import("@kyso/signers");
  const libs = args.pkcs11Lib ? [{ name: "given", path: args.pkcs11Lib, how: t("givenBy") }] : findMiddleware().map((m) => ({ ...m, how: `${m.name}, ${t("foundBy")}` }));
  if (libs.length === 0) {
    const { KNOWN_MIDDLEWARE } = await import("@kyso/signers");
    throw new KysoError("P11_NO_MIDDLEWARE", t("noLibrary", { names: KNOWN_MIDDLEWARE.map((m) => m.file).join(", ") }));
  }
  const result = libs.map((l) => {
    try {
      return { library: l.path, how: l.how, slots: listSlots(l.path) };
    } catch (e) {
      return { library: l.path, how: l.how, slots: [], error: describeError(e) };
    }
  });
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ libraries: result }, null, 2)}\n`);
    return 0;
  }
  for (const r of result) {
    io.stdout.write(`${r.library} (${r.how})\n`);
    if ("error" in r && r.error) io.stdout.write(`  ${r.error}\n`);
    const present = r.slots.filter((s) => s.token);
    if (present.length === 0) io.stdout.write(`  ${t("noTokens")}\n`);
    for (const s of present) {
      const tk = s.token!;
      const uninitialized = tk.initialized ? "" : t("token.out.uninitialized");
      // The token's PIN flags (PKCS#11 CKF_USER_PIN_*) in the catalogue's words; the package's pinText is English.
      const pin = t(tk.pin.locked ? "token.pin.locked" : tk.pin.finalTry ? "token.pin.finalTry" : tk.pin.countLow ? "token.pin.countLow" : "token.pin.none");
      io.stdout.write(`  ${t("token.out.slot", { slot: s.slotId, label: tk.label, serial: tk.serial, maker: `${tk.manufacturer} ${tk.model}`, uninitialized, pin })}\n`);
    }
  }
  return 0;
}

async function certs(args: TokenArgs, io: Io, t: Translate): Promise<number> {
  const library = await chooseLibrary(args, io, t);
  const { listTokenCertificates } = await import("@kyso/signers");
  // Private keys are private objects: knowing which certificates have their key needs a login.
  const login = args.login ?? (args.pinFile !== undefined || io.env.KYSO_PIN !== undefined);
  const r = await listTokenCertificates({ library, tokenLabel: args.tokenLabel, tokenSerial: args.tokenSerial, pin: login ? pinSource(args, io, args.tokenLabel ?? "") : undefined });
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ library, ...r }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${t("token.out.certificates", { token: r.token, count: r.certificates.length })}\n`);
  for (const c of r.certificates) {
    const key = t(c.hasPrivateKey === null ? "token.out.keyUnknown" : c.hasPrivateKey ? "token.out.keyPresent" : "token.out.keyAbsent");
    const fields = { subject: c.subject, issuer: c.issuer, serial: c.serial, from: shownTime(c.notBefore), to: shownTime(c.notAfter), algorithm: c.keyAlgorithm, key };
    io.stdout.write(`\n[${c.id}] ${c.label}\n${t("token.out.certificate", fields)}\n`);
  }
  return 0;
}

async function withSession<T>(args: TokenArgs, io: Io, t: Translate, f: (s: import("@kyso/signers").TokenSession) => Promise<T>): Promise<T> {
  const library = await chooseLibrary(args, io, t);
  const { TokenSession } = await import("@kyso/signers");
  const s = await TokenSession.open({ library, tokenLabel: args.tokenLabel, tokenSerial: args.tokenSerial, readWrite: true, pin: pinSource(args, io, args.tokenLabel ?? "") });
  try {
    return await f(s);
  } finally {
    s.close();
  }
}

async function writeOut(io: Io, file: string | undefined, text: string): Promise<void> {
  if (!file) {
    io.stdout.write(text);
    return;
  }
  await writeFileAtomic(resolve(io.cwd, file), async (fh) => {
    await fh.writeFile(text);
  });
}

export const tokenCommand = defineCommand<TokenArgs>({
  command: "token <action>",
  describe: "token.describe",
  builder: (y) =>
    y
      .positional("action", { choices: ACTIONS, describe: t("token.opt.action") })
      .option("pkcs11-lib", { type: "string", describe: t("token.opt.pkcs11-lib") })
      .option("token-label", { type: "string", describe: t("token.opt.token-label") })
      .option("token-serial", { type: "string", describe: t("token.opt.token-serial") })
      .option("pin-file", { type: "string", describe: t("token.opt.pin-file") })
      .option("json", { type: "boolean", default: false, describe: t("token.opt.json") })
      .option("login", { type: "boolean", describe: t("token.opt.login") })
      .option("label", { type: "string", describe: t("token.opt.label") })
      .option("algo", { choices: ["rsa2048", "rsa3072", "p256", "p384"] as const, describe: t("token.opt.algo") })
      .option("key-label", { type: "string", describe: t("token.opt.key-label") })
      .option("key-id", { type: "string", describe: t("token.opt.key-id") })
      .option("subject", { type: "string", describe: t("token.opt.subject") })
      .option("out", { type: "string", describe: t("token.opt.out") })
      .option("cert", { type: "string", describe: t("token.opt.cert") })
      .option("lang", { choices: ["en", "vi"] as const, describe: t("token.opt.lang") })
      .conflicts("key-label", "key-id")
      .conflicts("token-label", "token-serial")
      .example(t("token.example.1.cmd"), t("token.example.1.text"))
      .example(t("token.example.2.cmd"), t("token.example.2.text"))
      .example(t("token.example.3.cmd"), t("token.example.3.text"))
      .example(t("token.example.4.cmd"), t("token.example.4.text"))
      .example(t("token.example.5.cmd"), t("token.example.5.text")) as never,
  run: async (args, io) => {
    applyConfig(args as unknown as Record<string, unknown>, io);
    const t = translator(pickLang(args.lang, io.env));
    switch (args.action) {
      case "list":
        return list(args, io, t);
      case "certs":
        return certs(args, io, t);
      case "keygen": {
        if (!args.label) throw new KysoError("USAGE", t("token.err.keygenLabel"));
        if (!args.algo) throw new KysoError("USAGE", t("token.err.keygenAlgo"));
        const r = await withSession(args, io, t, async (s) => ({ token: s.tokenLabel, ...s.generateKeyPair(args.label!, args.algo!) }));
        if (args.json) io.stdout.write(`${JSON.stringify({ token: r.token, label: args.label, id: r.id, algo: args.algo, publicKey: pem("PUBLIC KEY", r.spki) }, null, 2)}\n`);
        else io.stdout.write(`${t("keyGenerated", { label: args.label, algo: args.algo, token: r.token, id: r.id })}\n${pem("PUBLIC KEY", r.spki)}`);
        return 0;
      }
      case "csr": {
        if (!args.subject) throw new KysoError("USAGE", t("token.err.csrSubject"));
        if (!args.keyLabel && !args.keyId) throw new KysoError("USAGE", t("token.err.csrKey"));
        const { encodeDistinguishedName } = await import("@kyso/signers");
        encodeDistinguishedName(args.subject); // a bad subject is a usage error before the PIN is asked
        const der = await withSession(args, io, t, (s) => s.certificationRequest({ label: args.keyLabel, id: args.keyId?.replace(/[\s:]/g, "").toLowerCase() }, args.subject!));
        await writeOut(io, args.out, pem("CERTIFICATE REQUEST", der));
        if (args.out) io.stderr.write(`${t("csrWritten", { file: args.out })}\n`);
        return 0;
      }
      case "import-cert": {
        if (!args.cert) throw new KysoError("USAGE", t("token.err.importCert"));
        let der: Uint8Array;
        try {
          const all = certificatesFromPemOrDer(new Uint8Array(await readFile(resolve(io.cwd, args.cert))));
          if (all.length === 0) throw new Error("no certificate in the file");
          der = all[0];
        } catch (e) {
          throw new KysoError("USAGE", t("token.err.certUnreadable", { file: args.cert, detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message }));
        }
        const r = await withSession(args, io, t, async (s) => ({ token: s.tokenLabel, ...s.importCertificate(der, args.label) }));
        const { commonName } = await import("@kyso/signers");
        const subject = commonName(der) ?? "?";
        if (args.json) io.stdout.write(`${JSON.stringify({ token: r.token, label: r.label, id: r.id, subject }, null, 2)}\n`);
        else io.stdout.write(`${t("certImported", { subject, token: r.token, label: r.label, id: r.id })}\n`);
        return 0;
      }
    }
    throw new KysoError("USAGE", t("err.unknownAction", { command: "token", action: String(args.action) }));
  },
});
