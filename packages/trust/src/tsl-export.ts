import { X509Certificate } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { KysoError, type RawSigner } from "@kyso/core";
import { toPem, type TrustEntry } from "./entry.js";
import { KYSO_ROLE_URI, TSL, xmlText, xsdDateTime } from "./tsl-model.js";
import { DSIG, rawSignerAlgorithm, signatureMethodFor } from "./xmldsig.js";

export interface TslExportOptions {
  /** The scheme operator (§5.3.4), e.g. "Sở Thông tin và Truyền thông tỉnh Bắc Ninh". */
  schemeOperator: string;
  territory?: "VN";
  /** §5.3.13 list issue date-time. */
  issueDate: Date;
  /** §5.3.15 next update (default: six months after the issue date, the longest §5.3.15 allows). */
  nextUpdate?: Date;
  /** §5.3.2, default 1. Raise it at every new issue of the list. */
  sequenceNumber?: number;
  /** §5.3.7 scheme information URI and the operator's electronic address (default a Kyso URN). */
  informationUri?: string;
  /** §5.3.5 the operator's postal address (default: its name, territory). */
  address?: { street: string; locality: string };
}

const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function name(lang: string, text: string): string {
  return `<tsl:Name xml:lang="${lang}">${xmlText(text)}</tsl:Name>`;
}

function address(street: string, locality: string, country: string, uri: string): string {
  return (
    `<tsl:PostalAddresses><tsl:PostalAddress xml:lang="vi"><tsl:StreetAddress>${xmlText(street)}</tsl:StreetAddress>` +
    `<tsl:Locality>${xmlText(locality)}</tsl:Locality><tsl:CountryName>${xmlText(country)}</tsl:CountryName></tsl:PostalAddress></tsl:PostalAddresses>` +
    `<tsl:ElectronicAddress><tsl:URI xml:lang="vi">${xmlText(uri)}</tsl:URI></tsl:ElectronicAddress>`
  );
}

/** An attribute of a distinguished name as Node prints it ("C=VN\nO=...\nCN=..."). */
function attribute(dn: string, key: string): string | undefined {
  for (const line of dn.split("\n")) if (line.startsWith(`${key}=`)) return line.slice(key.length + 1);
  return undefined;
}

/** §5.5: one TSPService per certificate, a CA/PKC service in status granted, marked anchor or intermediate. */
function service(e: TrustEntry, cn: string): string {
  const b64 = Buffer.from(e.der).toString("base64");
  return (
    `<tsl:TSPService><tsl:ServiceInformation>` +
    `<tsl:ServiceTypeIdentifier>${TSL.serviceTypeCa}</tsl:ServiceTypeIdentifier>` +
    `<tsl:ServiceName>${name("vi", cn)}</tsl:ServiceName>` +
    `<tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>${b64}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>` +
    `<tsl:ServiceStatus>${TSL.statusGranted}</tsl:ServiceStatus>` +
    `<tsl:StatusStartingTime>${xsdDateTime(e.notBefore)}</tsl:StatusStartingTime>` +
    `<tsl:ServiceInformationExtensions><tsl:Extension Critical="false"><tsl:AdditionalServiceInformation>` +
    `<tsl:URI xml:lang="en">${KYSO_ROLE_URI[e.role]}</tsl:URI><tsl:InformationValue>${e.role}</tsl:InformationValue>` +
    `</tsl:AdditionalServiceInformation></tsl:Extension></tsl:ServiceInformationExtensions>` +
    `</tsl:ServiceInformation></tsl:TSPService>`
  );
}

/** The unsigned list: scheme information (§5.3) and one trust service provider per organization (§5.4). */
export function buildTslXml(entries: readonly TrustEntry[], opts: TslExportOptions): string {
  const territory = opts.territory ?? "VN";
  const seq = opts.sequenceNumber ?? 1;
  if (!Number.isInteger(seq) || seq < 1) throw new KysoError("USAGE", `The TSL sequence number must be a positive integer, not ${seq}`);
  if (!opts.schemeOperator.trim()) throw new KysoError("USAGE", "The TSL needs a scheme operator name");
  const next = opts.nextUpdate ?? new Date(opts.issueDate.getTime() + SIX_MONTHS_MS);
  if (next <= opts.issueDate) throw new KysoError("USAGE", "The TSL's next update must be after its issue date");
  const uri = opts.informationUri ?? "urn:kyso:trust-list";
  const addr = opts.address ?? { street: opts.schemeOperator, locality: territory };

  // §5.4: group the certificates by the organization (O) of their subject, one TSP each.
  const groups = new Map<string, string[]>();
  for (const e of entries) {
    const c = new X509Certificate(e.der);
    const cn = attribute(c.subject, "CN") ?? e.subject;
    const org = attribute(c.subject, "O") ?? cn;
    const list = groups.get(org) ?? [];
    list.push(service(e, cn));
    groups.set(org, list);
  }
  const tsps = [...groups].map(([org, services]) => {
    return (
      `<tsl:TrustServiceProvider><tsl:TSPInformation>` +
      `<tsl:TSPName>${name("vi", org)}</tsl:TSPName>` +
      `<tsl:TSPAddress>${address(org, territory, territory, uri)}</tsl:TSPAddress>` +
      `<tsl:TSPInformationURI><tsl:URI xml:lang="vi">${xmlText(uri)}</tsl:URI></tsl:TSPInformationURI>` +
      `</tsl:TSPInformation><tsl:TSPServices>${services.join("")}</tsl:TSPServices></tsl:TrustServiceProvider>`
    );
  });

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<tsl:TrustServiceStatusList xmlns:tsl="${TSL.ns}" Id="TrustServiceStatusList" TSLTag="${TSL.tag}">` +
    `<tsl:SchemeInformation>` +
    `<tsl:TSLVersionIdentifier>${TSL.version}</tsl:TSLVersionIdentifier>` +
    `<tsl:TSLSequenceNumber>${seq}</tsl:TSLSequenceNumber>` +
    `<tsl:TSLType>${TSL.type(territory)}</tsl:TSLType>` +
    `<tsl:SchemeOperatorName>${name("vi", opts.schemeOperator)}</tsl:SchemeOperatorName>` +
    `<tsl:SchemeOperatorAddress>${address(addr.street, addr.locality, territory, uri)}</tsl:SchemeOperatorAddress>` +
    `<tsl:SchemeName>${name("vi", `${territory}:${opts.schemeOperator}`)}</tsl:SchemeName>` +
    `<tsl:SchemeInformationURI><tsl:URI xml:lang="vi">${xmlText(uri)}</tsl:URI></tsl:SchemeInformationURI>` +
    `<tsl:StatusDeterminationApproach>${TSL.statusDetermination(territory)}</tsl:StatusDeterminationApproach>` +
    `<tsl:SchemeTypeCommunityRules><tsl:URI xml:lang="en">${TSL.communityRules(territory)}</tsl:URI></tsl:SchemeTypeCommunityRules>` +
    `<tsl:SchemeTerritory>${territory}</tsl:SchemeTerritory>` +
    `<tsl:HistoricalInformationPeriod>${TSL.historicalPeriod}</tsl:HistoricalInformationPeriod>` +
    `<tsl:ListIssueDateTime>${xsdDateTime(opts.issueDate)}</tsl:ListIssueDateTime>` +
    `<tsl:NextUpdate><tsl:dateTime>${xsdDateTime(next)}</tsl:dateTime></tsl:NextUpdate>` +
    `</tsl:SchemeInformation>` +
    `<tsl:TrustServiceProviderList>${tsps.join("")}</tsl:TrustServiceProviderList>` +
    `</tsl:TrustServiceStatusList>`
  );
}

/**
 * Writes the entries as an ETSI TS 119 612 trusted list signed with an enveloped XML signature
 * (§5.7: Reference URI="" with the enveloped-signature and exclusive C14N transforms, SHA-256;
 * RSA-SHA256 or ECDSA-SHA256 made by the RawSigner; the signer's certificate and chain in KeyInfo).
 * TS 119 612 §5.7.1 asks for a XAdES form; this is the plain XMLDSig core of it.
 */
export async function exportTsl(entries: readonly TrustEntry[], signer: RawSigner, opts: TslExportOptions): Promise<string> {
  if (entries.length === 0) throw new KysoError("TRUST_EMPTY", "The trust store is empty: there is nothing to export");
  const xml = buildTslXml(entries, opts);
  const certs = [signer.certificate, ...signer.chain].map((c) => toPem(c)).join("");
  const method = signatureMethodFor(signer);
  // xml-crypto needs a private key value to start; the RawSigner algorithm below ignores it.
  const sx = new SignedXml({ privateKey: "held-by-the-raw-signer", publicCert: certs, signatureAlgorithm: method, canonicalizationAlgorithm: DSIG.excC14n });
  sx.SignatureAlgorithms = { [method]: rawSignerAlgorithm(signer) };
  sx.addReference({ xpath: "/*", uri: "", isEmptyUri: true, transforms: [DSIG.enveloped, DSIG.excC14n], digestAlgorithm: DSIG.sha256 });
  await new Promise<void>((resolve, reject) => {
    try {
      sx.computeSignature(xml, { location: { reference: "/*", action: "append" } }, (err) => (err ? reject(err) : resolve()));
    } catch (e) {
      reject(e);
    }
  }).catch((cause: unknown) => {
    if (cause instanceof KysoError) throw cause;
    throw new KysoError("TSL_SIGN_FAILED", `The trusted list cannot be signed: ${(cause as Error).message}`, { cause });
  });
  const out = sx.getSignedXml();
  return out.startsWith("<?xml") ? out : `<?xml version="1.0" encoding="UTF-8"?>\n${out}`;
}
