import { X509Certificate, createHash } from "node:crypto";
import { type Document, type Element } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { KysoError, systemClock, type Clock } from "@kyso/core";
import { CertificatePool, buildPath } from "@kyso/cms";
import { EDXML_NS, XMLDSIG_NS } from "./model.js";
import { isSignatureElement } from "./parse.js";
import { withXmldsigNamespace } from "./signature-namespace.js";

/** XMLDSig identifiers (W3C XML Signature 1.1 §6, RFC 6931). */
export const XMLDSIG_ALG = {
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha512: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha512: "http://www.w3.org/2001/04/xmlenc#sha512",
  enveloped: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  c14n: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
} as const;

const WEAK = new Set<string>([XMLDSIG_ALG.rsaSha1, XMLDSIG_ALG.sha1]);
const NAMES: Record<string, string> = {
  [XMLDSIG_ALG.rsaSha1]: "rsa-sha1",
  [XMLDSIG_ALG.rsaSha256]: "rsa-sha256",
  [XMLDSIG_ALG.rsaSha512]: "rsa-sha512",
  [XMLDSIG_ALG.sha1]: "sha1",
  [XMLDSIG_ALG.sha256]: "sha256",
  [XMLDSIG_ALG.sha512]: "sha512",
};

export type XmlSignatureAlgorithm = "rsa-sha256" | "rsa-sha512" | "rsa-sha1";

export interface XmlSigningKey {
  /** PKCS#8 (or PKCS#1) PEM of an RSA key. */
  privateKeyPem: string;
  /** The signer's certificate first, then its chain (PEM), all published in KeyInfo. */
  certificatesPem: string;
  /** Default rsa-sha256 with SHA-256 digests; rsa-sha1 (with SHA-1 digests) for old receivers and tests. */
  algorithm?: XmlSignatureAlgorithm;
}

/**
 * Adds an enveloped XML signature over the whole package (Reference URI="", enveloped-signature
 * then exclusive C14N; XMLDSig §6.6.4), placed at the end of `edXML:edXMLHeader`.
 */
export function signEdxml(xml: string, key: XmlSigningKey): string {
  const alg = key.algorithm ?? "rsa-sha256";
  const sigAlg = alg === "rsa-sha1" ? XMLDSIG_ALG.rsaSha1 : alg === "rsa-sha512" ? XMLDSIG_ALG.rsaSha512 : XMLDSIG_ALG.rsaSha256;
  const digAlg = alg === "rsa-sha1" ? XMLDSIG_ALG.sha1 : alg === "rsa-sha512" ? XMLDSIG_ALG.sha512 : XMLDSIG_ALG.sha256;
  const sig = new SignedXml({ privateKey: key.privateKeyPem, publicCert: key.certificatesPem, signatureAlgorithm: sigAlg, canonicalizationAlgorithm: XMLDSIG_ALG.excC14n });
  sig.addReference({ xpath: "/*", uri: "", isEmptyUri: true, transforms: [XMLDSIG_ALG.enveloped, XMLDSIG_ALG.excC14n], digestAlgorithm: digAlg });
  try {
    sig.computeSignature(xml, { location: { reference: "//*[local-name()='edXMLHeader']", action: "append" } });
  } catch (cause) {
    throw new KysoError("EDXML_SIGN_FAILED", `The package cannot be signed: ${(cause as Error).message}`, { cause });
  }
  const out = sig.getSignedXml();
  return out.startsWith("<?xml") ? out : `<?xml version="1.0" encoding="UTF-8"?>\n${out}`;
}

export type XmlIndication = "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";

export interface XmlSignerSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

/** The XML signature's verdict (EN 319 102-1 indications, as for PDF signatures). */
export interface XmlSignatureReport {
  present: boolean;
  indication: XmlIndication;
  subIndication: string | null;
  reasons: string[];
  signatureAlgorithm: string | null;
  digestAlgorithm: string | null;
  /** rsa-sha1 or sha1 digests: verifiable, but weak (SHA-1 collisions). */
  weak: boolean;
  /** Reference URI="" with the enveloped-signature transform: the signature covers the whole package. */
  coversWholePackage: boolean;
  integrity: boolean;
  signer: XmlSignerSummary | null;
  chain: { trusted: boolean; path: string[] };
  /** Revocation of the XML signer's certificate, when a certificate validator was given (else not checked). */
  revocation: { status: string; message: string; mode?: string };
  warnings: string[];
}

/** The report and, when the digest and signature values verify, the canonical XML they cover. */
export interface XmlSignatureCheck {
  report: XmlSignatureReport;
  /** What the signature covers (exclusive C14N of the package without the Signature), as xml-crypto read it. */
  signedXml: string | null;
  /** The certificates of the KeyInfo (DER), signer first, when the signature value verified. */
  certificates: Uint8Array[];
  /**
   * SHA-256 (hex) over the verified SignedInfo references (URI, transforms, digest method and the
   * digest value of each, in order), null unless the digests and the signature value verified.
   * The digests are of the canonical content (C14N), so a re-encoded copy of a package (new bytes,
   * same signed content) has the same value: a key for de-duplication.
   */
  signedContentDigest: string | null;
}

export interface XmlVerifyOptions {
  /** Trust anchors, DER. */
  trustAnchors?: Uint8Array[];
  clock?: Clock;
}

function summary(c: X509Certificate): XmlSignerSummary {
  return {
    subject: c.subject.replace(/\n/g, ", "),
    issuer: c.issuer.replace(/\n/g, ", "),
    serialNumber: c.serialNumber.toLowerCase(),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    sha256: createHash("sha256").update(c.raw).digest("hex"),
  };
}

function elementsNS(root: Element | Document, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);
}

/** The package's signatures: XMLDSig `Signature` elements, whatever their prefix, and the SDK sample's edXML-namespace one. */
function findSignatures(doc: Document): Element[] {
  return [...elementsNS(doc, XMLDSIG_NS, "Signature"), ...elementsNS(doc, EDXML_NS, "Signature").filter(isSignatureElement)];
}

/** SHA-256 over the references of a verified SignedInfo (XMLDSig §4.4.3): see {@link XmlSignatureCheck.signedContentDigest}. */
function referencesDigest(refs: readonly { uri: string; transforms: readonly string[]; digestAlgorithm: string; digestValue?: unknown }[]): string {
  const h = createHash("sha256");
  for (const r of refs) {
    const value = Buffer.from(String(r.digestValue ?? "").replace(/\s+/g, ""), "base64").toString("hex");
    h.update(`${r.uri ?? ""}\n${r.transforms.join(" ")}\n${r.digestAlgorithm}\n${value}\n\n`);
  }
  return h.digest("hex");
}

/**
 * The signer's path to a trust anchor over the certificates the signature carries, by the one path
 * builder of @kyso/cms (names, signatures, validity, CA constraints).
 */
function signerPath(leafDer: Uint8Array, extra: Uint8Array[], anchors: Uint8Array[] | undefined, now: Date): { trusted: boolean; path: string[]; reason?: string } {
  const pool = new CertificatePool(64);
  const r = buildPath(pool.certificate(leafDer), { candidates: pool.certificates(extra), anchors: pool.certificates(anchors ?? []), at: now, timeIsProven: true, now, pool });
  const constraint = r.problems.find((p) => p.code !== "NO_CERTIFICATE_CHAIN_FOUND" && p.code !== "EXPIRED" && p.code !== "NOT_YET_VALID");
  const reason = !r.trusted ? r.problems.find((p) => p.code === "NO_CERTIFICATE_CHAIN_FOUND")?.message : constraint?.message;
  return { trusted: r.trusted && !constraint, path: r.path.map((c) => c.subject), reason };
}

function failed(base: Partial<XmlSignatureReport>, indication: XmlIndication, sub: string | null, reason: string): XmlSignatureReport {
  return {
    present: true,
    signatureAlgorithm: null,
    digestAlgorithm: null,
    weak: false,
    coversWholePackage: false,
    integrity: false,
    signer: null,
    chain: { trusted: false, path: [] },
    revocation: { status: "not-checked", message: "Revocation of the XML signer's certificate was not checked" },
    warnings: [],
    ...base,
    indication,
    subIndication: sub,
    reasons: [reason, ...(base.reasons ?? [])],
  };
}

/**
 * Verifies the package's enveloped XML signature: one Signature, one Reference with URI="" and
 * the enveloped-signature transform (so it covers the whole package, and no element can be
 * wrapped around it), the digest and signature values (xml-crypto), and the signer's chain to the
 * trust anchors. A bad signature is a report, never an exception.
 */
export function verifyXmlSignature(text: string, doc: Document, options: XmlVerifyOptions = {}): XmlSignatureReport {
  return checkXmlSignature(text, doc, options).report;
}

/** As {@link verifyXmlSignature}, also giving the signed content so that the caller reads what was signed. */
export function checkXmlSignature(text: string, doc: Document, options: XmlVerifyOptions = {}): XmlSignatureCheck {
  const sigs = findSignatures(doc);
  if (sigs.length === 1 && sigs[0].namespaceURI === EDXML_NS) return checkEdxmlNamespaced(text, sigs[0], options);
  return checkXmldsig(text, sigs, options);
}

/**
 * The SDK sample's `<Signature>` in the edXML namespace: verified as the XMLDSig signature it
 * stands for (see {@link withXmldsigNamespace}), with a warning; when it cannot be verified so, the
 * verdict is INDETERMINATE (SIG_CONSTRAINTS_FAILURE) with the reason, never a pass.
 */
function checkEdxmlNamespaced(text: string, signature: Element, options: XmlVerifyOptions): XmlSignatureCheck {
  const what = `The <Signature> element is in the edXML namespace, not in XMLDSig's (${XMLDSIG_NS}), as in the national SDK's sample`;
  const moved = withXmldsigNamespace(text, signature);
  if ("problem" in moved)
    return { report: failed({}, "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE", `${what}; it cannot be checked as an XML signature: ${moved.problem}`), signedXml: null, certificates: [], signedContentDigest: null };
  const check = checkXmldsig(moved.text, findSignatures(moved.doc), options);
  const r = check.report;
  r.warnings.unshift(`${what}; it was read as an XMLDSig signature (its elements taken in the XMLDSig namespace)`);
  if (!r.integrity) {
    r.indication = "INDETERMINATE";
    r.subIndication = "SIG_CONSTRAINTS_FAILURE";
    r.reasons = [`${what}; read as an XMLDSig signature it does not verify: ${r.reasons[0] ?? "unknown reason"}`];
  }
  return check;
}

function checkXmldsig(text: string, sigs: Element[], options: XmlVerifyOptions): XmlSignatureCheck {
  let signedXml: string | null = null;
  let certificates: Uint8Array[] = [];
  let signedContentDigest: string | null = null;
  const report = ((): XmlSignatureReport => {
  if (sigs.length === 0) return { ...failed({ present: false }, "INDETERMINATE", "SIGNED_DATA_NOT_FOUND", "The package has no XML signature"), present: false };
  if (sigs.length > 1) return failed({}, "INDETERMINATE", "FORMAT_FAILURE", `The package has ${sigs.length} XML signatures; exactly one is expected`);
  const sigEl = sigs[0];
  const signedInfo = elementsNS(sigEl, XMLDSIG_NS, "SignedInfo")[0];
  const sm = signedInfo ? elementsNS(signedInfo, XMLDSIG_NS, "SignatureMethod")[0]?.getAttribute("Algorithm") : null;
  const refs = signedInfo ? elementsNS(signedInfo, XMLDSIG_NS, "Reference") : [];
  const dm = refs[0] ? elementsNS(refs[0], XMLDSIG_NS, "DigestMethod")[0]?.getAttribute("Algorithm") : null;
  const base: Partial<XmlSignatureReport> = { signatureAlgorithm: sm ? (NAMES[sm] ?? sm) : null, digestAlgorithm: dm ? (NAMES[dm] ?? dm) : null };
  base.weak = (!!sm && WEAK.has(sm)) || (!!dm && WEAK.has(dm));
  base.warnings = base.weak ? [`The XML signature uses ${[sm, dm].filter((a) => a && WEAK.has(a)).map((a) => NAMES[a!]).join(" and ")}, which is weak (SHA-1); it was verified all the same`] : [];
  if (!signedInfo || refs.length !== 1) return failed(base, "INDETERMINATE", "FORMAT_FAILURE", `The XML signature must have exactly one Reference (it has ${refs.length})`);
  const transforms = elementsNS(refs[0], XMLDSIG_NS, "Transform").map((t) => t.getAttribute("Algorithm"));
  base.coversWholePackage = refs[0].getAttribute("URI") === "" && transforms.includes(XMLDSIG_ALG.enveloped);
  if (!base.coversWholePackage) return failed(base, "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE", 'The XML signature does not cover the whole package (Reference URI="" with the enveloped-signature transform)');

  const certs: X509Certificate[] = [];
  for (const c of elementsNS(sigEl, XMLDSIG_NS, "X509Certificate")) {
    try {
      certs.push(new X509Certificate(Buffer.from((c.textContent ?? "").replace(/\s+/g, ""), "base64")));
    } catch {
      return failed(base, "INDETERMINATE", "FORMAT_FAILURE", "A certificate in the XML signature's KeyInfo cannot be read");
    }
  }
  if (certs.length === 0) return failed(base, "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "The XML signature carries no X509Certificate in its KeyInfo");
  const leaf = certs[0];
  base.signer = summary(leaf);

  const sx = new SignedXml({ publicCert: leaf.toString(), getCertFromKeyInfo: () => null });
  let valid = false;
  let why = "";
  try {
    sx.loadSignature(sigEl as never);
    valid = sx.checkSignature(text);
  } catch (e) {
    why = (e as Error).message;
  }
  if (!valid) {
    const refFailed = sx.getReferences().some((r) => (r as { validationError?: unknown }).validationError);
    if (refFailed) return failed(base, "TOTAL_FAILED", "HASH_FAILURE", "The package was changed after it was signed: the digest of the XML signature's reference does not match");
    if (/signature value .* is incorrect/.test(why) || why === "")
      return failed(base, "TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "The XML signature value does not verify with the signer's certificate");
    return failed(base, "INDETERMINATE", "FORMAT_FAILURE", `The XML signature cannot be checked: ${why}`);
  }
  base.integrity = true;
  signedXml = sx.getSignedReferences()[0] ?? null;
  signedContentDigest = referencesDigest(sx.getReferences());
  certificates = certs.map((c) => new Uint8Array(c.raw));
  const now = (options.clock ?? systemClock).now();
  const chain = signerPath(new Uint8Array(leaf.raw), certs.slice(1).map((c) => new Uint8Array(c.raw)), options.trustAnchors, now);
  base.chain = { trusted: chain.trusted, path: chain.path };
  if (!chain.trusted) return failed(base, "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", `The XML signer's certificate does not chain to a trusted root: ${chain.reason}`);
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo))
    return failed(base, "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "The XML signer's certificate is not valid at the validation time");
  return { ...(failed(base, "TOTAL_PASSED", null, "") as XmlSignatureReport), reasons: [] };
  })();
  return { report, signedXml, certificates, signedContentDigest };
}
