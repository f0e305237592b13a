/**
 * The edXML message of QCVN 102:2016/BTTTT (amended 2022), as Kyso reads and writes it. Every
 * element is in {@link EDXML_NS}; Kyso writes it with the `edXML:` prefix and reads it by namespace. Dates are kept as the text the package
 * carries (`yyyy/MM/dd`, trace times `yyyy/MM/dd HH:mm:ss`), checked but not converted, so that a
 * package parses back to exactly what was written. Optional fields are absent, never `undefined`.
 */
export const EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
export const EDXML_PREFIX = "edXML";
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const XLINK_NS = "http://www.w3.org/1999/xlink";

/** `From` / `To`: an organization on the axis (OrganId up to 35 characters). */
export interface Organization {
  organId: string;
  organizationInCharge?: string;
  organName?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

export interface SignerInfo {
  competence?: string;
  position?: string;
  fullName?: string;
}

export interface OtherInfo {
  priority?: string;
  sphereOfPromulgation?: string;
  typerNotation?: string;
  promulgationAmount?: string;
  pageAmount?: string;
  appendixes?: string[];
}

export interface MessageHeader {
  from: Organization;
  to: Organization[];
  /** e.g. `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`: sender, promulgation date, number/notation. */
  documentId?: string;
  code?: { codeNumber?: string; codeNotation?: string };
  promulgationInfo?: { place?: string; promulgationDate?: string };
  documentType?: { type?: string; typeName?: string; typeDetail?: string };
  subject?: string;
  content?: string;
  signerInfo?: SignerInfo;
  /** `yyyy/MM/dd`. */
  dueDate?: string;
  toPlaces?: string[];
  otherInfo?: OtherInfo;
  steeringType?: string;
  responseFor?: { organId?: string; code?: string; promulgationDate?: string; documentId?: string };
}

export interface TraceHeader {
  organId: string;
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string;
}

/** An attachment as decoded from `AttachmentEncoded`: the bytes exactly as the sender encoded them. */
export interface Attachment {
  contentId: string;
  name: string;
  contentType: string;
  description?: string;
  bytes: Uint8Array;
}

export interface EdxmlPackage {
  header: MessageHeader;
  traces: TraceHeader[];
  attachments: Attachment[];
}

/** Something read that Kyso would not have written, but which does not stop the package being read. */
export interface EdxmlWarning {
  /** Stable code, e.g. `EDXML_UNPREFIXED`. */
  code: string;
  message: string;
}

/** What the parser saw besides the model: the XML signature element and the manifest. */
export interface ParsedEdxml extends EdxmlPackage {
  /** The number of `Signature` elements (XMLDSig) in the package. */
  signatureCount: number;
  /** `contentId`s listed in the manifest (`edXMLManifest/Reference/ContentId`), without `cid:`. */
  manifest: string[];
  /** Declared sizes per attachment index (`edXML:Size`), when the sender gave one. */
  declaredSizes: (number | undefined)[];
  /** What was read but would not have been written so (e.g. EDXML_UNPREFIXED). */
  warnings: EdxmlWarning[];
}
