import type { TrustEntry } from "@kyso/trust";
import type { Io } from "../../command.js";
import { isMessageKey, t } from "../../messages/index.js";
import { shownDay, shownTime } from "../../time.js";

/** A role or source code as a word of the run's language (the code itself in English). */
export function trustWord(kind: "role" | "source", code: string): string {
  const key = `trust.${kind}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

/** A time of a certificate: Vietnam time (or the configured zone) in the run's language's format. */
export const certTime = (d: Date): string => shownTime(d);

/** An entry as `--json` prints it. */
export function entryJson(e: TrustEntry, withPem = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    sha256: e.sha256,
    role: e.role,
    source: e.source,
    subject: e.subject,
    issuer: e.issuer,
    notBefore: e.notBefore.toISOString(),
    notAfter: e.notAfter.toISOString(),
  };
  if (e.label !== undefined) out.label = e.label;
  if (withPem) out.pem = pem(e.der);
  return out;
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

const day = (d: Date): string => shownDay(d);

/** `kyso trust list`: one block per certificate. */
export function writeEntryList(io: Io, entries: readonly TrustEntry[], now: Date): void {
  for (const e of entries) {
    const expired = now > e.notAfter ? t("trust.list.expired") : now < e.notBefore ? t("trust.list.notYetValid") : "";
    io.stdout.write(`${e.sha256}  ${trustWord("role", e.role).padEnd(12)} ${trustWord("source", e.source).padEnd(7)} ${day(e.notBefore)} – ${day(e.notAfter)}${expired}\n`);
    io.stdout.write(`    ${e.subject}\n`);
  }
  const anchors = entries.filter((e) => e.role === "anchor").length;
  io.stderr.write(`${t("trust.list.summary", { count: entries.length, anchors, intermediates: entries.length - anchors })}\n`);
}

/** `kyso trust show`: every field, one per line. */
export function writeEntryDetails(io: Io, e: TrustEntry, inStore: boolean): void {
  const [subject, issuer, from, to, sha, role, source, label] = t("trust.show.labels").split(",");
  const rows: [string, string][] = [
    [subject, e.subject],
    [issuer, e.issuer],
    [from, certTime(e.notBefore)],
    [to, certTime(e.notAfter)],
    [sha, e.sha256],
    [role, inStore ? trustWord("role", e.role) : t("trust.show.notInStore", { role: trustWord("role", e.role) })],
    [source, trustWord("source", inStore ? e.source : "file")],
  ];
  if (e.label) rows.push([label, e.label]);
  const width = Math.max(12, ...rows.map(([k]) => [...k].length + 2));
  for (const [k, v] of rows) io.stdout.write(`${`${k}:`.padEnd(width)}${v}\n`);
}
