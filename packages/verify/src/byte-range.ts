import { Parser, PdfArray, PdfString, parsePdfDate } from "@kyso/pdf";
import { parseSignedData, parseTstInfo } from "@kyso/cms";
import { displayName } from "./modifications/locks.js";
import { check, text, type Located, type PipelineContext, type SigState } from "./context.js";
import type { SignatureReport } from "./report.js";
import { detail, type ParamsOf, type ReasonCode } from "./codes.js";

/**
 * The largest signature value read (DER bytes of /Contents). A CMS with its chain, a timestamp and
 * revocation data fits in well under 64 KiB; anything past this bound is refused unread, so that a
 * hostile /Contents cannot hold a worker (the PDF reader keeps strings past it as placeholders).
 */
export const MAX_CONTENTS_BYTES = 512 * 1024;

/**
 * The signature dictionary and its byte range (ISO 32000-1 §12.8.1; EN 319 142-1 §5.1 b: the whole
 * revision but /Contents), then the CMS parsed once for its digest algorithm. Starts the report.
 */
export function prepareSignature(ctx: PipelineContext, loc: Located): SigState {
  const d = loc.dict;
  const subFilter = d.getName("SubFilter") ?? null;
  const isTs = subFilter === "ETSI.RFC3161" || d.getName("Type") === "DocTimeStamp";
  const report: SignatureReport = {
    field: loc.field.startsWith("(no field") ? loc.field : displayName(ctx.reader, loc.field),
    type: isTs ? "timestamp" : "signature",
    subFilter,
    indication: "TOTAL_PASSED",
    subIndication: null,
    reasons: [],
    reasonDetails: [],
    signer: null,
    signingTime: null,
    timeSource: "none",
    claimedTime: null,
    reason: text(d.get("Reason")),
    location: text(d.get("Location")),
    digestAlgorithm: null,
    signatureAlgorithm: null,
    byteRange: null,
    integrity: false,
    coverage: "NONE",
    revision: null,
    modifications: { permission: "default", certification: false, level: "none", allowed: true, changes: [] },
    chain: { trusted: false, path: [] },
    revocation: { mode: ctx.mode, status: "not-checked", message: "not checked" },
    timestamp: null,
    level: null,
    levelReasons: [],
    checks: [],
    warnings: [],
    warningDetails: [],
  };
  const s: SigState = { loc, report, fail: [] };
  const m = text(d.get("M"));
  const claimed = m ? parsePdfDate(m) : undefined;
  if (claimed) report.claimedTime = claimed.toISOString();

  // 1. Byte ranges (ISO 32000-1 §12.8.1; EN 319 142-1 §5.1 b: the whole file but /Contents).
  const brFail = <C extends ReasonCode>(code: C, params: ParamsOf<C>, msg: string): SigState => {
    check(s, "byte-range", false, msg);
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", msg, detail(code, params, msg)]);
    return s;
  };
  const knownFilter = subFilter === "ETSI.CAdES.detached" || subFilter === "adbe.pkcs7.detached" || subFilter === "ETSI.RFC3161" || subFilter === "adbe.pkcs7.sha1";
  if (!knownFilter) return brFail("SUBFILTER_UNSUPPORTED", { subFilter: subFilter ?? "" }, `Unsupported signature format /SubFilter ${subFilter ?? "(missing)"}`);
  const brObj = ctx.reader.resolve(d.get("ByteRange"));
  const br = brObj instanceof PdfArray ? brObj.items.map((x) => ctx.reader.resolve(x)) : [];
  if (br.length !== 4 || !br.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0))
    return brFail("BYTE_RANGE_MALFORMED", {}, "The /ByteRange is missing or is not four non-negative integers (universal signature forgery)");
  const [a, la, b, lb] = br as number[];
  report.byteRange = [a, la, b, lb];
  const len = ctx.src.length;
  if (a !== 0) return brFail("BYTE_RANGE_NOT_AT_START", {}, "The signed bytes do not start at the beginning of the file");
  if (b + lb > len)
    return brFail("BYTE_RANGE_PAST_END", { byteRange: br.join(" "), size: len }, `The signed byte range [${br.join(" ")}] goes past the end of the file (${len} bytes): the file was cut or re-saved by another tool after signing, so this signature cannot be checked`);
  if (la <= 0 || b <= la || lb < 0) return brFail("BYTE_RANGE_DEGENERATE", { byteRange: br.join(" ") }, `The /ByteRange [${br.join(" ")}] overlaps itself or is degenerate`);
  // The gap is the hex /Contents with its '<' and '>': bounded before anything reads it.
  const gapLength = b - la;
  if (gapLength > 2 * MAX_CONTENTS_BYTES + 2)
    return brFail("CONTENTS_TOO_LARGE", { bytes: Math.floor((gapLength - 2) / 2), max: MAX_CONTENTS_BYTES }, `The signature value (/Contents) is ${gapLength - 2} hex digits (${Math.floor((gapLength - 2) / 2)} bytes), more than the ${MAX_CONTENTS_BYTES} bytes a signature may hold: it is not read`);
  const contents = ctx.reader.resolve(d.get("Contents"));
  if (contents instanceof PdfString && contents.omittedLength > 0)
    return brFail("CONTENTS_TOO_LARGE", { bytes: contents.omittedLength, max: MAX_CONTENTS_BYTES }, `The signature value (/Contents) is ${contents.omittedLength} bytes, more than the ${MAX_CONTENTS_BYTES} bytes a signature may hold: it is not read`);
  if (!(contents instanceof PdfString) || contents.bytes.length === 0 || contents.bytes.every((x) => x === 0))
    return brFail("CONTENTS_EMPTY", {}, "The signature value (/Contents) is missing or empty (universal signature forgery)");
  const gap = Buffer.from(ctx.src.slice(la, b)).toString("latin1");
  if (!/^<[0-9A-Fa-f]*>$/.test(gap)) return brFail("GAP_NOT_HEX_STRING", {}, "The uncovered gap of the byte range is not exactly one hex string (signature wrapping)");
  const gapBytes = Buffer.from(gap.slice(1, -1), "hex");
  if (!gapBytes.equals(Buffer.from(contents.bytes))) return brFail("GAP_NOT_OWN_CONTENTS", {}, "The uncovered gap is not this signature's /Contents (signature wrapping)");
  // The gap must be this dictionary's /Contents value, inside this object's own bytes.
  if (loc.offset < 0) return brFail("SIG_DICT_IN_OBJECT_STREAM", {}, "The signature dictionary is inside an object stream, so its /Contents cannot be the uncovered gap");
  let objEnd = -1;
  try {
    const p = new Parser(ctx.src, loc.offset);
    p.parseIndirect();
    objEnd = p.pos;
  } catch {
    objEnd = -1;
  }
  const before = Buffer.from(ctx.src.slice(Math.max(loc.offset, la - 64), la)).toString("latin1").trimEnd();
  if (!(loc.offset < la && objEnd >= b) || !before.endsWith("/Contents"))
    return brFail("GAP_NOT_DICT_CONTENTS", {}, "The uncovered gap is not the /Contents of the signature dictionary (signature wrapping)");
  const coveredEnd = b + lb;
  s.coveredEnd = coveredEnd;
  let revIndex = ctx.ends.indexOf(coveredEnd);
  if (revIndex < 0 && Buffer.from(ctx.src.slice(Math.max(0, coveredEnd - 5), coveredEnd)).toString("latin1") === "%%EOF") {
    // A revision signed up to its "%%EOF" without the end-of-line (as @signpdf writes it): the EOL a
    // later update puts first is the only uncovered byte, and whitespace (ISO 32000-1 §7.5.5).
    revIndex = ctx.ends.findIndex((e) => e > coveredEnd && e - coveredEnd <= 2 && ctx.src.slice(coveredEnd, e).every((x) => x === 0x0a || x === 0x0d));
    if (revIndex >= 0) s.coveredEnd = ctx.ends[revIndex];
  }
  if (revIndex < 0) return brFail("BYTE_RANGE_NOT_REVISION_END", { end: coveredEnd }, `The signed bytes end at ${coveredEnd}, which is not the end of a revision of the file`);
  const prevEnd = revIndex > 0 ? ctx.ends[revIndex - 1] : 0;
  if (!(loc.offset >= prevEnd && loc.offset < coveredEnd)) return brFail("SIG_DICT_OUTSIDE_REVISION", {}, "The signature dictionary does not belong to the revision its byte range covers (signature wrapping)");
  report.revision = revIndex + 1;
  const isLast = revIndex === ctx.ends.length - 1 && ctx.trailing === 0;
  report.coverage = isLast ? "ENTIRE_FILE" : "ENTIRE_REVISION";
  s.ranges = [[0, la], [b, b + lb]];
  check(s, "byte-range", true, isLast ? "The signature covers the whole file except its own value" : `The signature covers revision ${revIndex + 1} of ${ctx.ends.length}; later revisions are analysed below`);

  // The CMS, parsed once: its digest algorithm decides how the byte ranges are hashed.
  try {
    s.cms = parseSignedData(contents.bytes);
  } catch (e) {
    const m = `The signature value is not a CMS SignedData: ${(e as Error).message}`;
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", m, detail("CMS_UNREADABLE", { detail: (e as Error).message }, m)]);
    check(s, "cms", false, `CMS unreadable: ${(e as Error).message}`);
    return s;
  }
  const si = s.cms.signerInfos[0];
  if (!si || s.cms.signerInfos.length !== 1) {
    const m = `The CMS has ${s.cms.signerInfos.length} signers; exactly one is expected`;
    s.fail.push(["TOTAL_FAILED", "FORMAT_FAILURE", m, detail("CMS_SIGNER_COUNT", { count: s.cms.signerInfos.length }, m)]);
    check(s, "cms", false, "not exactly one SignerInfo");
    return s;
  }
  s.signerInfo = si;
  if (subFilter === "adbe.pkcs7.sha1") s.digestAlgorithm = "SHA-1"; // the CMS signs the SHA-1 of the ranges (ISO 32000-1 §12.8.3.3.1)
  else if (isTs) {
    try {
      const tst = parseTstInfo(s.cms.eContent ?? new Uint8Array(0));
      s.digestAlgorithm = tst.imprintAlgorithm;
    } catch {
      s.digestAlgorithm = undefined;
    }
  } else s.digestAlgorithm = si.digestAlgorithm;
  if (!s.digestAlgorithm) {
    // Not a forgery claim: the algorithm is one this verifier does not know (EN 319 102-1 §5.2.7).
    const m = `The digest algorithm ${si.digestAlgorithmOid} is not supported, so the signature cannot be checked`;
    s.fail.push(["INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", m, detail("DIGEST_UNSUPPORTED", { oid: si.digestAlgorithmOid }, m)]);
    s.ranges = undefined;
  } else report.digestAlgorithm = s.digestAlgorithm;
  return s;
}
