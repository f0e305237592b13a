/**
 * Identifiers of ETSI TS 119 612 (v2.x) trusted lists as Kyso writes and reads them.
 *
 * Roots and intermediates. TS 119 612 lists every CA as a service of type CA/PKC and does not say
 * which is a root. Kyso marks each service with a non-critical extension (§5.5.9: a reader that does
 * not know it ignores it) holding an AdditionalServiceInformation (§5.5.9.4) whose URI is
 * {@link KYSO_ROLE_URI}.anchor or .intermediate. A reader that ignores the mark treats the
 * intermediates as trust anchors too, which trusts nothing more than their roots already do.
 */
export const TSL = {
  ns: "http://uri.etsi.org/02231/v2#",
  /** §5.2.1 TSL tag. */
  tag: "http://uri.etsi.org/19612/TSLTag",
  /** §5.3.1: version 5 for TS 119 612 v2.x. */
  version: 5,
  /** §5.3.3 and Annex D.6: a non-EU list, "CC" being the scheme territory. */
  type: (territory: string) => `http://uri.etsi.org/TrstSvc/TrustedList/TSLType/${territory}list`,
  /** §5.3.8, Annex D.6. */
  statusDetermination: (territory: string) => `http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/${territory}determination`,
  /** §5.3.9, Annex D.6. */
  communityRules: (territory: string) => `http://uri.etsi.org/TrstSvc/TrustedList/schemerules/${territory}`,
  /** §5.5.1: a certification authority issuing public key certificates. */
  serviceTypeCa: "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC",
  /** §5.5.4: the service is approved. */
  statusGranted: "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted",
  /** §5.3.14: how long historical information is kept, 65535 meaning "for ever". */
  historicalPeriod: 65535,
} as const;

export const KYSO_ROLE_URI = {
  anchor: "urn:kyso:trust:role:anchor",
  intermediate: "urn:kyso:trust:role:intermediate",
} as const;

/** Escapes text for element content and attribute values (XML 1.0 §2.4, §3.3.3). */
export function xmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** xsd:dateTime in UTC without fractions, as trusted lists write it. */
export function xsdDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
