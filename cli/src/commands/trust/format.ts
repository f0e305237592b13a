import type { TrustEntry } from "@kyso/trust";
import type { Io } from "../../command.js";

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

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** `kyso trust list`: one block per certificate. */
export function writeEntryList(io: Io, entries: readonly TrustEntry[], now: Date): void {
  for (const e of entries) {
    const expired = now > e.notAfter ? "  (expired)" : now < e.notBefore ? "  (not yet valid)" : "";
    io.stdout.write(`${e.sha256}  ${e.role.padEnd(12)} ${e.source.padEnd(7)} ${day(e.notBefore)} – ${day(e.notAfter)}${expired}\n`);
    io.stdout.write(`    ${e.subject}\n`);
  }
  const anchors = entries.filter((e) => e.role === "anchor").length;
  io.stderr.write(`${entries.length} certificates: ${anchors} trust anchors, ${entries.length - anchors} intermediates\n`);
}

/** `kyso trust show`: every field, one per line. */
export function writeEntryDetails(io: Io, e: TrustEntry, inStore: boolean): void {
  const rows: [string, string][] = [
    ["Subject", e.subject],
    ["Issuer", e.issuer],
    ["Valid from", e.notBefore.toISOString()],
    ["Valid to", e.notAfter.toISOString()],
    ["SHA-256", e.sha256],
    ["Role", inStore ? e.role : `${e.role} (not in the trust store)`],
    ["Source", inStore ? e.source : "file"],
  ];
  if (e.label) rows.push(["Label", e.label]);
  for (const [k, v] of rows) io.stdout.write(`${`${k}:`.padEnd(12)}${v}\n`);
}
