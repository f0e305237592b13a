import type { Argv } from "yargs";
import { KysoError } from "@kyso/core";
import type { CertificateRecord, TokenRecord } from "@kyso/registry";
import { defineCommand, type Io } from "../../command.js";
import { inputErrorsExit1, registryOptions, withRegistry, writeJson, writeTable, type RegistryArgs } from "../../registry-cli.js";
import { humanFor, type Human } from "../certs/human.js";
import { askYesNo } from "./ask.js";
import { t } from "../../messages/index.js";

const STATUSES = ["in_stock", "issued", "returned", "lost", "locked", "destroyed"] as const;
const CHANGES = ["issue", "return", "lost", "lock", "unlock", "destroy", "pin-reset"] as const;

interface TokensArgs extends RegistryArgs {
  serial?: string;
  manufacturer?: string;
  model?: string;
  status?: (typeof STATUSES)[number];
  holder?: string;
  unit?: string;
  note?: string;
  revokeCertificates?: boolean;
  keepCertificates?: boolean;
  action?: string;
  lang?: string;
  timezone?: string;
  json?: boolean;
}

function printToken(io: Io, h: Human, t: TokenRecord): void {
  io.stdout.write(`${t.serial}: ${h.tokenStatus(t.status)}${t.holder ? `, ${t.holder} (${t.unit})` : ""}${t.manufacturer ? `, ${t.manufacturer}` : ""}${t.model ? ` ${t.model}` : ""}\n`);
}

const certLine = (h: Human, c: CertificateRecord): string =>
  `${c.serial} (${c.holder}, ${c.unit}, ${h.certificateStatus(c.status)}, ${h.tr("tokens.expires")} ${h.day(c.notAfter)})`;

/**
 * lost | destroyed: what becomes of the certificates still live on the token. A flag decides;
 * else the officer is asked on the terminal; with neither, exit 2 naming both flags.
 */
async function decideCertificates(args: TokensArgs, io: Io, h: Human, live: CertificateRecord[]): Promise<"revoke" | "keep"> {
  if (args.revokeCertificates && args.keepCertificates) throw new KysoError("USAGE", t("tokens.err.revokeOrKeep"));
  if (args.revokeCertificates) return "revoke";
  if (args.keepCertificates || live.length === 0) return "keep";
  const reason = h.reason(args.action === "lost" ? "keyCompromise" : "cessationOfOperation");
  const list = live.map((c) => `  ${certLine(h, c)}`).join("\n");
  const count = live.length;
  if (!io.stdin.isTTY)
    throw new KysoError(
      "USAGE",
      h.tr(count === 1 ? "tokens.live.chooseFlagOne" : "tokens.live.chooseFlagMany", { serial: String(args.serial), count, list, reason }),
    );
  io.stderr.write(`${h.tr(count === 1 ? "tokens.live.headingOne" : "tokens.live.headingMany", { serial: String(args.serial), count })}\n${list}\n`);
  const yes = await askYesNo(io, h.tr(count === 1 ? "tokens.live.askOne" : "tokens.live.askMany", { count, reason }), h.lang);
  return yes ? "revoke" : "keep";
}

async function run(action: string, args: TokensArgs, io: Io): Promise<number> {
  const h = await humanFor(args as unknown as Record<string, unknown>, io);
  return withRegistry(args, io, async (r) => {
    if (action === "add") {
      const t = await r.addToken({ serial: args.serial!, manufacturer: args.manufacturer, model: args.model });
      if (args.json) writeJson(io, t);
      else printToken(io, h, t);
      return 0;
    }
    if (action === "list") {
      const list = await r.listTokens({ status: args.status });
      if (args.json) writeJson(io, list);
      else
        writeTable(
          io,
          h.tr("tokens.list.header").split(","),
          list.map((t) => [t.serial, h.tokenStatus(t.status), t.holder ?? "-", t.unit ?? "-", [t.manufacturer, t.model].filter(Boolean).join(" ") || "-"]),
        );
      return 0;
    }
    if (action === "show") {
      const found = await r.getToken(args.serial!);
      if (!found) throw new KysoError("TOKEN_NOT_FOUND", t("tokens.err.notFound", { serial: String(args.serial) }));
      if (args.json) writeJson(io, { ...found.token, history: found.history });
      else {
        printToken(io, h, found.token);
        for (const e of found.history) io.stdout.write(`  ${h.event(e)}\n`);
      }
      return 0;
    }
    if (action === "lost" || action === "destroy") {
      const found = await r.getToken(args.serial!);
      if (!found) throw new KysoError("TOKEN_NOT_FOUND", t("tokens.err.notFoundAdd", { serial: String(args.serial) }));
      const live = await r.certificatesOnToken(args.serial!);
      const certificates = await decideCertificates(args, io, h, live);
      const done = await r.retireToken(args.serial!, action, { note: args.note, certificates });
      if (args.json) writeJson(io, { ...done.token, revokedCertificates: done.revoked, keptCertificates: done.kept });
      else {
        printToken(io, h, done.token);
        for (const c of done.revoked) io.stdout.write(`  ${h.tr("tokens.revoked")} ${c.serial} (${c.holder}): ${h.reason(c.revocationReason)}\n`);
        for (const c of done.kept) io.stdout.write(`  ${h.tr("tokens.kept")} ${certLine(h, c)}\n`);
      }
      return 0;
    }
    if ((CHANGES as readonly string[]).includes(action)) {
      const t = await r.changeToken(args.serial!, action as (typeof CHANGES)[number], {
        holder: args.holder ? { name: args.holder } : undefined,
        unit: args.unit,
        note: args.note,
      });
      if (args.json) writeJson(io, t);
      else printToken(io, h, t);
      return 0;
    }
    throw new KysoError("USAGE", t("err.unknownAction", { command: "tokens", action: String(action) }));
  });
}

/*
 * One positional action rather than yargs subcommands: main.ts calls the top-level command's run()
 * (which is what receives io), and a yargs subcommand's handler would replace that call.
 */
export const tokensCommand = defineCommand<TokensArgs & { action: string }>({
  command: "tokens <action> [serial]",
  describe: "tokens.describe",
  builder: (y) =>
    registryOptions(
      y
        .usage(t("tokens.usage"))
        .positional("action", { choices: ["add", "list", "show", ...CHANGES] as const, describe: t("tokens.opt.action") })
        .positional("serial", { type: "string", describe: t("tokens.opt.serial") })
        .option("manufacturer", { type: "string", describe: t("tokens.opt.manufacturer") })
        .option("model", { type: "string", describe: t("tokens.opt.model") })
        .option("status", { choices: STATUSES, describe: t("tokens.opt.status") })
        .option("holder", { type: "string", describe: t("tokens.opt.holder") })
        .option("unit", { type: "string", describe: t("tokens.opt.unit") })
        .option("note", { type: "string", describe: t("tokens.opt.note") })
        .option("revoke-certificates", { type: "boolean", describe: t("tokens.opt.revoke-certificates") })
        .option("keep-certificates", { type: "boolean", describe: t("tokens.opt.keep-certificates") })
        .option("lang", { choices: ["vi", "en"] as const, describe: t("tokens.opt.lang") })
        .option("timezone", { type: "string", describe: t("tokens.opt.timezone") })
        .option("json", { type: "boolean", describe: t("tokens.opt.json") })
        .example(t("tokens.example.q1.cmd"), t("tokens.example.q1.text"))
        .example(t("tokens.example.q2.cmd"), t("tokens.example.q2.text"))
        .example(t("tokens.example.q3.cmd"), t("tokens.example.q3.text"))
        .example(t("tokens.example.1.cmd"), t("tokens.example.1.text")),
    ) as unknown as Argv<TokensArgs & { action: string }>,
  run: async (args, io) =>
    inputErrorsExit1(io, async () => {
      if (args.action !== "list" && !args.serial) throw new KysoError("USAGE", t("tokens.err.needsSerial", { action: args.action }));
      if (args.action === "issue" && (!args.holder || !args.unit)) throw new KysoError("USAGE", t("tokens.err.issueNeeds"));
      return run(args.action, args, io);
    }),
});
