import { X509Certificate } from "node:crypto";
import type { Document, Element } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { KysoError } from "@kyso/core";
import { entryFromDer, parseCertificateDer, toPem, type TrustEntry } from "./entry.js";
import { KYSO_ROLE_URI, TSL } from "./tsl-model.js";
import { parseTslDocument } from "./xml-guard.js";
import { DSIG, verificationAlgorithms } from "./xmldsig.js";

/** What a verified list says. */
export interface TslContents {
  entries: TrustEntry[];
  schemeOperator: string | null;
  territory: string | null;
  sequenceNumber: number | null;
  issueDate: Date | null;
  /** Null for a closed list (§5.3.15: NextUpdate without a date). */
  nextUpdate: Date | null;
  /** Services skipped: not CA/PKC, not granted, or an unreadable certificate (code: SERVICE_TYPE, SERVICE_STATUS, CERT_BASE64, CERT_UNREADABLE; reason in English, params its facts). */
  skipped: { name: string; code: string; reason: string; params?: Record<string, string> }[];
}

/** TSL_SIGNATURE_INVALID; `form` says which check failed, `params` its facts (for a caller that says it in another language). */
function invalid(form: string, message: string, params: Record<string, string | number> = {}): never {
  throw new KysoError("TSL_SIGNATURE_INVALID", message, { details: { params, form } });
}

function byName(root: Element | Document, ns: string, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);
}

function childElements(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    const e = n as unknown as Element;
    if (n.nodeType === 1 && e.namespaceURI === ns && e.localName === local) out.push(e);
  }
  return out;
}

function textOf(el: Element | undefined): string | null {
  return el ? (el.textContent ?? "").trim() : null;
}

/**
 * Verifies the list's enveloped XML signature with exactly the given certificate: one Signature,
 * a child of the root; one Reference with URI="" and the enveloped-signature transform (so it
 * covers the whole list and nothing can be wrapped around it); the certificate in KeyInfo, if
 * any, the given one; digest and signature values checked by xml-crypto with the given
 * certificate's key. Returns the canonical XML the signature covers.
 */
function verifiedContent(text: string, doc: Document, signerDer: Uint8Array): string {
  const signerCert = parseCertificateDer(signerDer, "The TSL signer's certificate");
  const sigs = byName(doc, DSIG.ns, "Signature");
  if (sigs.length !== 1) invalid("signatureCount", `The trusted list must carry exactly one XML signature (it has ${sigs.length})`, { count: sigs.length });
  const sigEl = sigs[0];
  if (sigEl.parentNode !== (doc.documentElement as unknown)) invalid("signaturePlace", "The trusted list's XML signature is not a child of its root element (TS 119 612 §5.7)");
  const refs = byName(sigEl, DSIG.ns, "Reference");
  if (refs.length !== 1) invalid("referenceCount", `The trusted list's XML signature must have exactly one Reference (it has ${refs.length})`, { count: refs.length });
  const transforms = byName(refs[0], DSIG.ns, "Transform").map((t) => t.getAttribute("Algorithm"));
  if (refs[0].getAttribute("URI") !== "" || !transforms.includes(DSIG.enveloped))
    invalid("notWholeList", 'The trusted list\'s XML signature does not cover the whole list (Reference URI="" with the enveloped-signature transform)');
  const keyInfoCerts = byName(sigEl, DSIG.ns, "X509Certificate");
  if (keyInfoCerts.length > 0) {
    const first = Buffer.from((keyInfoCerts[0].textContent ?? "").replace(/\s+/g, ""), "base64");
    if (!first.equals(Buffer.from(signerCert.raw)))
      {
      const subject = new X509Certificate(first).subject.split("\n").join(", ");
      invalid("otherSigner", `The trusted list was signed with another certificate (${subject}), not the one given`, { subject });
    }
  }
  const sx = new SignedXml({ publicCert: toPem(signerDer), getCertFromKeyInfo: () => null });
  sx.SignatureAlgorithms = verificationAlgorithms();
  let ok = false;
  let why = "";
  try {
    sx.loadSignature(sigEl as never);
    ok = sx.checkSignature(text);
  } catch (e) {
    why = (e as Error).message;
  }
  if (!ok) {
    const refFailed = sx.getReferences().some((r) => (r as { validationError?: unknown }).validationError);
    if (refFailed) invalid("changed", "The trusted list was changed after it was signed: the digest of its XML signature's reference does not match");
    if (/is not supported/.test(why)) invalid("algorithm", `The trusted list's signature algorithm is not accepted (RSA or ECDSA with SHA-256 or stronger): ${why}`, { detail: why });
    invalid("notVerified", "The trusted list's XML signature does not verify with the given certificate");
  }
  const signed = sx.getSignedReferences();
  if (signed.length !== 1) invalid("noContent", "The trusted list's XML signature covers no content");
  return signed[0];
}

/**
 * Reads a trusted list (ETSI TS 119 612) after verifying its signature with `tslSignerCertDer`.
 * The list is read from what the signature covers (parsed again), never from the document as
 * given, so nothing unsigned can be slipped in beside the signed content.
 */
export function readTsl(xml: string, tslSignerCertDer: Uint8Array): TslContents {
  const text = xml.replace(/^\uFEFF/, "");
  const doc = parseTslDocument(text);
  const root = doc.documentElement!;
  if (root.namespaceURI !== TSL.ns || root.localName !== "TrustServiceStatusList")
    throw new KysoError("TSL_MALFORMED", `The file is not an ETSI TS 119 612 trusted list (root element ${root.localName})`, { details: { params: { root: root.localName }, form: "root" } });
  const signed = parseTslDocument(verifiedContent(text, doc, tslSignerCertDer));
  const list = signed.documentElement!;
  if (list.namespaceURI !== TSL.ns || list.localName !== "TrustServiceStatusList") invalid("notList", "The trusted list's signature does not cover a TrustServiceStatusList");

  const info = childElements(list, TSL.ns, "SchemeInformation")[0];
  const pick = (local: string): Element | undefined => (info ? childElements(info, TSL.ns, local)[0] : undefined);
  const operatorName = pick("SchemeOperatorName");
  const seq = textOf(pick("TSLSequenceNumber"));
  const issue = textOf(pick("ListIssueDateTime"));
  const next = textOf(pick("NextUpdate") ? byName(pick("NextUpdate")!, TSL.ns, "dateTime")[0] : undefined);
  const out: TslContents = {
    entries: [],
    schemeOperator: textOf(operatorName ? byName(operatorName, TSL.ns, "Name")[0] : undefined),
    territory: textOf(pick("SchemeTerritory")),
    sequenceNumber: seq && /^\d+$/.test(seq) ? Number(seq) : null,
    issueDate: issue ? new Date(issue) : null,
    nextUpdate: next ? new Date(next) : null,
    skipped: [],
  };

  const seen = new Set<string>();
  for (const svc of byName(list, TSL.ns, "ServiceInformation")) {
    const nameEl = childElements(svc, TSL.ns, "ServiceName")[0];
    const name = textOf(nameEl ? byName(nameEl, TSL.ns, "Name")[0] : undefined) ?? "(unnamed service)";
    const type = textOf(childElements(svc, TSL.ns, "ServiceTypeIdentifier")[0]);
    const status = textOf(childElements(svc, TSL.ns, "ServiceStatus")[0]);
    if (type !== TSL.serviceTypeCa) {
      out.skipped.push({ name, code: "SERVICE_TYPE", reason: `service type ${type ?? "missing"} is not ${TSL.serviceTypeCa}`, params: { type: type ?? "-", expected: TSL.serviceTypeCa } });
      continue;
    }
    if (status !== TSL.statusGranted) {
      out.skipped.push({ name, code: "SERVICE_STATUS", reason: `status ${status ?? "missing"} is not granted`, params: { status: status ?? "-" } });
      continue;
    }
    const extUris = byName(svc, TSL.ns, "AdditionalServiceInformation").flatMap((a) => childElements(a, TSL.ns, "URI").map((u) => textOf(u)));
    const role = extUris.includes(KYSO_ROLE_URI.intermediate) ? "intermediate" : "anchor";
    const identity = childElements(svc, TSL.ns, "ServiceDigitalIdentity")[0];
    for (const c of identity ? byName(identity, TSL.ns, "X509Certificate") : []) {
      const b64 = (c.textContent ?? "").replace(/\s+/g, "");
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
        out.skipped.push({ name, code: "CERT_BASE64", reason: "the certificate is not valid base64" });
        continue;
      }
      try {
        const entry = entryFromDer(new Uint8Array(Buffer.from(b64, "base64")), role, "local", name);
        if (!seen.has(entry.sha256)) out.entries.push(entry);
        seen.add(entry.sha256);
      } catch {
        out.skipped.push({ name, code: "CERT_UNREADABLE", reason: "the certificate cannot be read" });
      }
    }
  }
  return out;
}

/** The certificates of a trusted list whose XML signature verifies with exactly `tslSignerCertDer` (else TSL_SIGNATURE_INVALID). */
export function importTsl(xml: string, tslSignerCertDer: Uint8Array): TrustEntry[] {
  return readTsl(xml, tslSignerCertDer).entries;
}
