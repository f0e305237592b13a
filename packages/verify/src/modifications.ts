/**
 * What a later revision changed, and whether the permission in force allows it (ISO 32000-1
 * §12.8.2.2 DocMDP, §12.8.2.4 FieldMDP; ISO 32000-2 §12.8.2.2; the rules follow pyHanko's default
 * diff policy and the RUB attack papers' advice: classify every object of every later revision and
 * the document each later trailer describes, allow only what the permission does).
 *
 * The classification lives in ./modifications/ (one concern per file); this module holds the change
 * type and the judgement, and re-exports the rest.
 */
export type ChangeKind = "signature" | "timestamp" | "dss" | "metadata" | "form-fill" | "annotation" | "other";

export interface Change {
  /** 1-based revision number in the file (1 = the original document). */
  revision: number;
  kind: ChangeKind;
  /** "12 0 R" when the change concerns one object, or a path such as "trailer /Root". */
  object?: string;
  /** For annotations: the /Subtype. */
  subtype?: string;
  /** Fully qualified name of the form field the change concerns (its dictionary, widgets or appearances). */
  field?: string;
  description: string;
  /**
   * The rule that classified and judged the change: a short stable id ("sig-field-added",
   * "sneaky-signature-overwrite", "widget-lock-flag", "catalog-version", "hidden-replace-trailer", ...).
   */
  rule: string;
  /** A new widget or annotation that shows on a page (non-empty /Rect, not Hidden or NoView). */
  visible?: boolean;
}

/** Policy switches of the modification analysis (the defaults are pyHanko's). */
export interface ModificationPolicy {
  /**
   * Allow new visible signature fields after a P=2 certification (Acrobat does; pyHanko does not by
   * default, because a visible widget is how a "sneaky signature" draws over the certified page).
   * Such changes are then allowed and reported as a warning.
   */
  allowVisibleSignatureFieldsAfterCertification?: boolean;
}

/** Annotation types that only add a note or mark text; anything else can draw over the page. */
const BENIGN_ANNOTATIONS = new Set(["Text", "Popup", "Highlight", "Underline", "Squiggly", "StrikeOut", "Caret"]);

/**
 * Rules whose changes alter nothing a reader sees and are allowed at every permission level:
 * catalog /Version and /Extensions (ISO 32000-2 §7.12: the ESIC extension comes with the DSS), lock
 * flags Acrobat sets on signed widgets and fields, /SigFlags, the trailer's /ID and keys no reader uses.
 */
const ALWAYS_ALLOWED = new Set(["catalog-version", "catalog-extensions", "widget-lock-flag", "field-readonly-flag", "acroform-sigflags", "trailer-id", "trailer-unused-key"]);

/**
 * Kinds each DocMDP level allows (P=1 still allows LTV material: EN 319 142-1 §5.4; pyHanko's
 * LTA_UPDATES). After an approval signature (no certification) annotations are allowed as after
 * P=3 (pyHanko judges only OTHER changes against an approval signature), with the same limit:
 * only annotations that cannot draw over the page (isAllowed), so the evil-annotation route stays shut.
 */
export function allowedKinds(p: 1 | 2 | 3 | undefined): Set<ChangeKind> {
  if (p === 1) return new Set(["dss", "timestamp"]);
  if (p === 2) return new Set(["dss", "timestamp", "metadata", "signature", "form-fill"]);
  return new Set(["dss", "timestamp", "metadata", "signature", "form-fill", "annotation"]);
}

export function isAllowed(change: Change, p: 1 | 2 | 3 | undefined): boolean {
  if (ALWAYS_ALLOWED.has(change.rule)) return true;
  if (!allowedKinds(p).has(change.kind)) return false;
  if (change.kind === "annotation" && change.subtype !== undefined && !BENIGN_ANNOTATIONS.has(change.subtype)) return false;
  return true;
}

export interface Judgement {
  allowed: boolean;
  /** The rule that decided: the change's own, or the certification rule that overrode it. */
  rule: string;
  /** Set when a policy switch allowed what the default forbids. */
  warning?: string;
}

/**
 * Judges one change under the permission in force. After a P=1 or P=2 certification a new visible
 * widget or annotation is not allowed (pyHanko's SigFieldCreationRule, allow_new_visible_after_certify
 * off); the policy switch allows new visible signature fields after P=2, with a warning.
 */
export function judgeChange(change: Change, p: 1 | 2 | 3 | undefined, policy: ModificationPolicy = {}): Judgement {
  if (change.visible && (p === 1 || p === 2) && change.kind !== "other") {
    if (p === 2 && change.kind === "signature" && policy.allowVisibleSignatureFieldsAfterCertification)
      return { allowed: true, rule: "visible-sig-field-after-certification-allowed", warning: `${change.description}: a new visible signature field after a P=2 certification, allowed by policy (strict validators reject it)` };
    return { allowed: false, rule: "visible-widget-after-certification" };
  }
  return { allowed: isAllowed(change, p), rule: change.rule };
}

export { classifyChanges } from "./modifications/classify.js";
export { fieldLockFrom, isLocked, type FieldLock } from "./modifications/locks.js";
