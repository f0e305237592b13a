import { X509Certificate } from "node:crypto";
import { isoVietnamTime, type KeyAlgorithm } from "@kyso/core";
import type { CscCredential } from "@kyso/signers";
import { defineCommand } from "../../command.js";
import { applyConfig } from "../../config.js";
import { connectCsc, cscOptions, translated, type CscArgs } from "../../csc-signer.js";
import { t } from "../../messages/index.js";
import { shownTime } from "../../time.js";

interface CredentialsArgs extends CscArgs {
  action: "credentials";
  json: boolean;
}

const keyText = (k: KeyAlgorithm): string => (k.name === "RSA" ? `RSA ${k.modulusBits}` : `EC ${k.namedCurve}`);

function row(c: CscCredential): Record<string, unknown> {
  const cert = new X509Certificate(Buffer.from(c.certificates[0]));
  return {
    id: c.id,
    subject: c.subjectDN ?? null,
    serial: cert.serialNumber.toLowerCase(),
    notAfter: isoVietnamTime(new Date(cert.validTo)),
    key: keyText(c.keyAlgorithm),
    keyStatus: c.keyStatus ?? null,
    certificateStatus: c.certificateStatus ?? null,
    certificates: c.certificates.length,
    multisign: c.multisign,
    scal: c.scal,
    authMode: c.authMode,
    pin: c.pin.required,
    otp: c.otp.required ? (c.otp.type ?? "offline") : null,
  };
}

/** `kyso csc credentials --csc URL [--json]`: what the account may sign with at a remote signing service. */
export const cscCommand = defineCommand<CredentialsArgs>({
  command: "csc <action>",
  describe: "csc.describe",
  builder: (y) =>
    cscOptions(y, "")
      .positional("action", { choices: ["credentials"] as const, describe: t("csc.credentialsDescribe") })
      .option("json", { type: "boolean", default: false, describe: t("csc.opt.json") })
      .example(t("csc.example.1.cmd"), t("csc.example.1.text"))
      .example(t("csc.example.2.cmd"), t("csc.example.2.text")) as never,
  run: async (args, io) => {
    applyConfig(args as unknown as Record<string, unknown>, io, { keys: ["csc", "lang"] });
    const client = await connectCsc(args, io);
    const list: CscCredential[] = [];
    try {
      for (const id of await client.listCredentials()) list.push(await client.credentialInfo(id));
    } catch (e) {
      throw translated(e, {});
    }
    const rows = list.map(row);
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ service: { url: args.csc, name: client.info.name ?? null, specs: client.info.specs }, credentials: rows }, null, 2)}\n`);
      return 0;
    }
    const table = [
      [t("csc.colId"), t("csc.colHolder"), t("csc.colKey"), t("csc.colValidTo"), "multisign", "SCAL", t("csc.colAuth")],
      ...rows.map((r) => [
        String(r.id),
        // The holder's common name (the whole subject is in --json).
        /(?:^|,)CN=((?:\\,|[^,])+)/.exec(String(r.subject ?? ""))?.[1]?.replace(/\\(.)/g, "$1") ?? String(r.subject ?? "-"),
        String(r.key),
        shownTime(String(r.notAfter), { seconds: false }),
        String(r.multisign),
        String(r.scal),
        [r.authMode, r.pin ? "PIN" : "", r.otp ? `OTP (${r.otp})` : ""].filter(Boolean).join(", "),
      ]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((line) => [...line[i]].length)));
    for (const line of table) io.stdout.write(`${line.map((cell, i) => cell + " ".repeat(widths[i] - [...cell].length)).join("  ").trimEnd()}\n`);
    return 0;
  },
});
