import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import {
  KysoError, defaultScheme, ecdsaRawToDer, nodeDigestName, parseCertificate, systemClock, writeFileAtomic,
  type Clock, type DigestAlgorithm, type RawSigner, type SignatureScheme,
} from "@kyso/core";
import { PdfReader, docMdpPermission, listSignatureFields, prepareSignature, type PreparedSignature, type SubFilter, type WidgetSpec } from "@kyso/pdf";
import { buildSignedAttributes, buildSignedData, estimateSignedDataLength } from "@kyso/cms";
import type { Der } from "@kyso/core";
import { writeFully } from "./write-fully.js";

export interface SignOptions {
  subFilter?: "pades" | "pkcs7";
  digestAlgorithm?: DigestAlgorithm;
  scheme?: SignatureScheme;
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  certify?: 1 | 2 | 3;
  widget?: WidgetSpec;
  /**
   * A visible signature made for each document once the signer's certificate, the signing time and
   * the document are known (@kyso/appearance makes these); it wins over `widget`. It may throw to
   * refuse a document (an organization seal on a document that no one has signed yet).
   */
  appearance?: (context: AppearanceContext) => Promise<WidgetSpec | undefined> | WidgetSpec | undefined;
  clock?: Clock;
  /** Bytes to reserve for unsigned attributes added after signing (e.g. a timestamp token). */
  unsignedReserve?: number;
  /**
   * Measures further room for unsigned attributes once per document, added to `unsignedReserve`
   * (PAdES B-T: a dry run against the TSA sizes the timestamp token).
   */
  measureUnsignedReserve?: () => Promise<number>;
  /**
   * Called with the signature value to get unsigned attributes (e.g. an RFC 3161 timestamp). The
   * second argument is the value as the CMS carries it (ECDSA: DER, not raw r||s).
   */
  unsignedAttributes?: (signatureValue: Uint8Array, encodedSignatureValue: Uint8Array) => Promise<Der[]>;
  /**
   * Called after the signature is embedded, before anything is written: returns further incremental
   * updates to append (PAdES B-LT/B-LTA: a DSS and a document timestamp). If it throws, no output is written.
   */
  afterSigning?: (doc: PreparedDocument, cms: Uint8Array) => Promise<Uint8Array[]>;
  /** Told of what signs but may not verify everywhere (the document is still signed). */
  onWarning?: (warning: SignWarning) => void;
}

/**
 * CERTIFIED_VISIBLE_NEW_FIELD: a visible signature in a new field of a P=2-certified document. ISO
 * 32000-1 §12.8.2.2 allows signing after P=2, but strict validators (pyHanko's default, Kyso's own)
 * reject a new visible widget after a certification; an existing empty field is safe.
 */
export interface SignWarning {
  code: "CERTIFIED_VISIBLE_NEW_FIELD";
  input: string;
  /** The document's empty signature fields, to sign instead (--field NAME). */
  emptyFields: string[];
  message: string;
}

/** What an appearance hook gets: the document (its path and open reader), the signer's certificate and the signing time. */
export interface AppearanceContext {
  input: string;
  reader: PdfReader;
  certificate: Uint8Array;
  signingTime: Date;
}

/** What a completed signature is: the output's digest, the field and the signer. */
export interface SignResult {
  fieldName: string;
  outputLength: number;
  /** SHA-256 of the whole output file. */
  sha256: string;
  byteRange: [number, number, number, number];
}

/** A document with its placeholder and the digest of the bytes the signature will cover. */
export interface PreparedDocument {
  input: string;
  prepared: PreparedSignature;
  contentDigest: Uint8Array;
  signedAttributes: Der;
  signingTime: Date;
}

function subFilterOf(o: SignOptions): SubFilter {
  return o.subFilter === "pkcs7" ? "adbe.pkcs7.detached" : "ETSI.CAdES.detached";
}

/** Adds the signature placeholder (and the visible appearance, if any) to an open document. */
export async function addPlaceholder(
  reader: PdfReader,
  input: string,
  signer: Pick<RawSigner, "certificate">,
  options: SignOptions,
  contentsLength: number,
  signingTime: Date,
): Promise<PreparedSignature> {
  if (reader.encrypted) throw new KysoError("PDF_ENCRYPTED", "The document is encrypted; Kyso does not sign encrypted documents");
  const widget = options.appearance ? await options.appearance({ input, reader, certificate: signer.certificate, signingTime }) : options.widget;
  const newField = !(options.fieldName && listSignatureFields(reader).some((f) => f.name === options.fieldName));
  if (widget && newField && options.onWarning && docMdpPermission(reader) === 2) {
    const emptyFields = listSignatureFields(reader).filter((f) => !reader.dict(f.value)).map((f) => f.name);
    const instead = emptyFields.length > 0 ? `sign an existing empty field instead: --field ${JSON.stringify(emptyFields[0])}` : "sign an existing empty field instead (--field NAME), or sign without a visible appearance";
    options.onWarning({ code: "CERTIFIED_VISIBLE_NEW_FIELD", input, emptyFields, message: `the document is certified (DocMDP P=2): a visible signature in a new field breaks the certification for strict validators; ${instead}` });
  }
  return prepareSignature(reader, {
    subFilter: subFilterOf(options),
    contentsLength,
    fieldName: options.fieldName,
    signingTime,
    reason: options.reason,
    location: options.location,
    contactInfo: options.contactInfo,
    certify: options.certify,
    widget,
  });
}

/** The signed attributes over a content digest (adbe.pkcs7.detached also gets a signing-time attribute). */
export function signedAttributesFor(contentDigest: Uint8Array, signer: Pick<RawSigner, "certificate">, options: SignOptions, signingTime: Date): Der {
  return buildSignedAttributes({
    contentDigest,
    digestAlgorithm: options.digestAlgorithm ?? "SHA-256",
    signerCertificate: signer.certificate,
    // adbe.pkcs7.detached is not PAdES: a signing-time attribute is customary there.
    signingTime: options.subFilter === "pkcs7" ? signingTime : undefined,
  });
}

/** Bytes to reserve in /Contents for this signer and these options: a dry run of the CMS (never too small). */
export function contentsLengthFor(signer: Pick<RawSigner, "certificate" | "chain">, options: SignOptions = {}): number {
  return estimateSignedDataLength({
    scheme: options.scheme ?? defaultScheme(parseCertificate(signer.certificate).keyAlgorithm),
    digestAlgorithm: options.digestAlgorithm ?? "SHA-256",
    signerCertificate: signer.certificate,
    certificates: signer.chain,
    // adbe.pkcs7.detached adds a signing-time attribute (up to 32 bytes).
    unsignedReserve: (options.unsignedReserve ?? 0) + (options.subFilter === "pkcs7" ? 32 : 0),
  });
}

/**
 * Stage 1 of signing: parse, add the placeholder, and hash the covered bytes (the input streamed from
 * disk, then the update). No key is needed; the result can be signed now or later.
 */
export async function prepareDocument(input: string, signer: Pick<RawSigner, "certificate" | "chain">, options: SignOptions = {}): Promise<PreparedDocument> {
  const digestAlgorithm = options.digestAlgorithm ?? "SHA-256";
  const clock = options.clock ?? systemClock;
  const signingTime = clock.now();
  if (options.measureUnsignedReserve) options = { ...options, unsignedReserve: (options.unsignedReserve ?? 0) + (await options.measureUnsignedReserve()) };
  const reader = PdfReader.openFile(input);
  let prepared: PreparedSignature;
  try {
    prepared = await addPlaceholder(reader, input, signer, options, contentsLengthFor(signer, options), signingTime);
  } finally {
    reader.close();
  }
  const contentDigest = await digestCovered(input, prepared, digestAlgorithm);
  const signedAttributes = signedAttributesFor(contentDigest, signer, options, signingTime);

  return { input, prepared, contentDigest, signedAttributes, signingTime };
}

/** Digest of the covered bytes: the whole input file, then the update around the /Contents gap. */
export async function digestCovered(input: string, prepared: PreparedSignature, alg: DigestAlgorithm): Promise<Uint8Array> {
  const h = createHash(nodeDigestName(alg));
  const fh = await open(input, "r");
  try {
    const size = (await fh.stat()).size;
    if (size !== prepared.inputLength) throw new KysoError("INPUT_CHANGED", `${input} changed while it was being signed`);
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, size)));
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) throw new KysoError("INPUT_CHANGED", `${input} shrank while it was being signed`);
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const [a, b] = prepared.coveredUpdateParts();
  h.update(a);
  h.update(b);
  return new Uint8Array(h.digest());
}

/** Stage 2: the raw signature over the signed attributes, wrapped into CMS and embedded. */
export async function completeDocument(doc: PreparedDocument, signer: RawSigner, options: SignOptions = {}): Promise<Uint8Array> {
  const digestAlgorithm = options.digestAlgorithm ?? "SHA-256";
  const scheme = options.scheme ?? defaultScheme(signer.keyAlgorithm);
  const signature = await signer.sign(doc.signedAttributes, scheme, digestAlgorithm);
  const unsigned = options.unsignedAttributes
    ? await options.unsignedAttributes(signature, scheme === "ECDSA" ? ecdsaRawToDer(signature) : signature)
    : undefined;
  const cms = buildSignedData({
    signedAttributes: doc.signedAttributes,
    signature,
    scheme,
    digestAlgorithm,
    signerCertificate: signer.certificate,
    certificates: signer.chain,
    unsignedAttributes: unsigned,
  });
  doc.prepared.embed(cms);
  return cms;
}

/**
 * Stage 3: writes the output atomically: a temp file gets the input's bytes and the update, is
 * synced, then renamed into place. The input is never modified.
 */
export async function writeSignedDocument(doc: PreparedDocument, output: string, overwrite = false, extraUpdates: readonly Uint8Array[] = []): Promise<string> {
  const h = createHash("sha256");
  await writeFileAtomic(
    output,
    async (fh) => {
      const src = await open(doc.input, "r");
      try {
        const buf = Buffer.allocUnsafe(1 << 20);
        let pos = 0;
        for (;;) {
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, doc.prepared.inputLength - pos), pos);
          if (bytesRead === 0) break;
          h.update(buf.subarray(0, bytesRead));
          await writeFully(fh, [buf.subarray(0, bytesRead)]);
          pos += bytesRead;
          if (pos >= doc.prepared.inputLength) break;
        }
        if (pos !== doc.prepared.inputLength) throw new KysoError("INPUT_CHANGED", `${doc.input} changed while it was being signed`);
      } finally {
        await src.close();
      }
      h.update(doc.prepared.update);
      await writeFully(fh, [doc.prepared.update]);
      for (const u of extraUpdates) {
        h.update(u);
        await writeFully(fh, [u]);
      }
    },
    { overwrite },
  );
  return h.digest("hex");
}

/** Prepares, signs and writes one document. */
export async function signPdfFile(input: string, output: string, signer: RawSigner, options: SignOptions & { overwrite?: boolean } = {}): Promise<SignResult> {
  if (options.scheme === undefined) options = { ...options, scheme: defaultScheme(signer.keyAlgorithm) };
  const doc = await prepareDocument(input, signer, options);
  const cms = await completeDocument(doc, signer, options);
  const extra = options.afterSigning ? await options.afterSigning(doc, cms) : [];
  const sha256 = await writeSignedDocument(doc, output, options.overwrite, extra);
  const outputLength = doc.prepared.outputLength + extra.reduce((n, u) => n + u.length, 0);
  return { fieldName: doc.prepared.fieldName, outputLength, sha256, byteRange: doc.prepared.byteRange };
}
