import { PdfString, type PdfDict, type PdfReader } from "@kyso/pdf";

/**
 * The fields a signature locks (ISO 32000-1 §12.7.4.5 Table 233 /Lock, §12.8.2.4 FieldMDP):
 * All, the listed ones (Include), or all but the listed ones (Exclude). A listed name also locks
 * the fields below it ("a" locks "a.b").
 */
export interface FieldLock {
  action: "All" | "Include" | "Exclude";
  fields: string[];
  /** "/Lock of field X" or "/Reference FieldMDP". */
  source: string;
}

export function fieldLockFrom(d: PdfDict | undefined, r: PdfReader, source: string): FieldLock | undefined {
  if (!d) return undefined;
  const a = d.getName("Action");
  // An unknown or missing action locks everything: the conservative reading of a lock we cannot read.
  const action = a === "Include" || a === "Exclude" ? a : "All";
  const fields = (r.array(d.get("Fields"))?.items ?? []).flatMap((x) => {
    const v = r.resolve(x);
    return v instanceof PdfString ? [displayName(r, v.asText())] : [];
  });
  return { action, fields, source };
}

/**
 * A field name as the report shows it. Kyso's reader does not decrypt strings, so in an encrypted
 * document (ISO 32000-1 §7.6) a name is ciphertext: it is never printed as such. Locks compare the
 * same placeholder, so a lock listing fields of an encrypted document locks every field (conservative).
 */
export function displayName(r: PdfReader, name: string): string {
  return r.encrypted ? "(encrypted name)" : name;
}

export function isLocked(field: string, lock: FieldLock): boolean {
  if (lock.action === "All") return true;
  const listed = lock.fields.some((f) => field === f || field.startsWith(`${f}.`));
  return lock.action === "Include" ? listed : !listed;
}
