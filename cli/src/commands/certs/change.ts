import { KysoError } from "@kyso/core";
import type { Io } from "../../command.js";
import { currentLang, t } from "../../messages/index.js";
import { rejectionText } from "../../messages/errors.js";
import { readInputFile, withRegistry, writeJson, type RegistryArgs } from "../../registry-cli.js";
import { printCertificate } from "./query.js";
import type { Human } from "./human.js";

export async function runRevoke(args: RegistryArgs & { serial: string; reason: string; date?: string; json?: boolean; human: Human }, io: Io): Promise<number> {
  const h = args.human;
  const reg = await import("@kyso/registry");
  const reason = reg.parseRevocationReason(args.reason);
  const date = args.date ? reg.parseDateArgument(args.date, "--date") : undefined;
  return withRegistry(args, io, async (r) => {
    const c = await r.revoke(args.serial, reason, { date });
    if (args.json) writeJson(io, c);
    else io.stdout.write(`${h.certificateStatus(c.status)}: ${c.serial} (${c.holder}, ${c.unit}) ${h.tr("certs.at")} ${h.time(c.revokedAt)}: ${h.reason(c.revocationReason)}\n`);
    return 0;
  });
}

export async function runRenew(
  args: RegistryArgs & { oldSerial: string; file: string; issuedAt?: string; tokenSerial?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const reg = await import("@kyso/registry");
  const issuedAt = args.issuedAt ? reg.parseDateArgument(args.issuedAt, "--issued-at") : undefined;
  let facts;
  try {
    const certs = reg.parseCertificates(await readInputFile(args.file, io)).filter((c) => !c.isCa);
    if (certs.length !== 1) throw new KysoError("CERT_UNPARSABLE", t("certs.err.holdsCount", { count: certs.length }));
    facts = certs[0];
  } catch (e) {
    if (e instanceof KysoError && e.code !== "FILE_UNREADABLE")
      throw new KysoError("CERT_UNPARSABLE", `${args.file}: ${e.message}`, { cause: e.cause });
    throw e;
  }
  return withRegistry(args, io, async (r) => {
    try {
      const res = await r.renew(args.oldSerial, facts, { source: args.file, issuedAt, tokenSerial: args.tokenSerial });
      if (args.json) writeJson(io, res);
      else io.stdout.write(`${t("certs.renew.recorded", { serial: res.imported[0].serial, old: args.oldSerial })}\n`);
      return 0;
    } catch (e) {
      if (e instanceof KysoError && e.code === "IMPORT_REJECTED") {
        for (const x of (e.details?.rejected as { source: string; code: string; reason: string }[]) ?? []) io.stderr.write(`kyso: ${x.source}: ${rejectionText(x, currentLang())}\n`);
        return 1;
      }
      throw e;
    }
  });
}

export async function runCorrect(
  args: RegistryArgs & { serial: string; holder?: string; unit?: string; type?: "personal" | "organization"; tokenSerial?: string; json?: boolean; human: Human },
  io: Io,
): Promise<number> {
  if (args.holder === undefined && args.unit === undefined && args.type === undefined && args.tokenSerial === undefined)
    throw new KysoError("USAGE", t("certs.err.nothingToCorrect"));
  return withRegistry(args, io, async (r) => {
    const c = await r.correct(args.serial, {
      holder: args.holder === undefined ? undefined : { name: args.holder },
      unit: args.unit,
      type: args.type,
      tokenSerial: args.tokenSerial === undefined ? undefined : args.tokenSerial || null,
    });
    if (args.json) writeJson(io, c);
    else printCertificate(io, args.human, c);
    return 0;
  });
}

/** Fetches a CRL from an http(s) URL (a CRL distribution point) with a timeout. */
async function fetchCrl(url: string, env: NodeJS.ProcessEnv): Promise<Uint8Array> {
  const timeout = Number(env.KYSO_FETCH_TIMEOUT_MS ?? 20_000);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
  } catch (cause) {
    throw new KysoError("CRL_FETCH", t("certs.err.crlFetch", { url }), { cause, details: { exitCode: 1 } });
  }
  if (!res.ok) throw new KysoError("CRL_FETCH", t("certs.err.crlHttp", { url, status: res.status }), { details: { exitCode: 1 } });
  return new Uint8Array(await res.arrayBuffer());
}

export async function runSyncCrl(args: RegistryArgs & { source: string; issuerCert?: string; json?: boolean; human: Human }, io: Io): Promise<number> {
  const h = args.human;
  const reg = await import("@kyso/registry");
  const bytes = /^https?:\/\//i.test(args.source) ? await fetchCrl(args.source, io.env) : await readInputFile(args.source, io);
  let crl;
  try {
    crl = reg.crlFacts(bytes);
  } catch (e) {
    throw new KysoError("CRL_UNPARSABLE", `${args.source}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (args.issuerCert) {
    const issuers = reg.parseCertificates(await readInputFile(args.issuerCert, io));
    const ok = await reg.verifyCrlSignature(crl, issuers[0].der);
    if (!ok) throw new KysoError("CRL_UNPARSABLE", t("certs.err.crlSignature", { source: args.source, issuer: args.issuerCert }));
  }
  return withRegistry(args, io, async (r) => {
    const res = await r.syncCrl(crl);
    if (args.json) writeJson(io, res);
    else {
      for (const x of res.revoked) io.stdout.write(`${h.tr("tokens.revoked")} ${x.serial} ${h.tr("certs.at")} ${h.time(x.revokedAt)} (${h.reason(x.reason)})\n`);
      io.stdout.write(
        `${h.tr("certs.syncCrl.summary", { source: args.source, entries: res.entries, issuer: res.issuer, revoked: res.revoked.length, already: res.alreadyRevoked, unknown: res.unknown })}\n`,
      );
    }
    return 0;
  });
}
