// The clerks' page: sends each chosen PDF to /api/v1/verify and shows the verdict. No CDN, no framework.
"use strict";
const T = {
  vi: {
    logout: "Đăng xuất",
    title: "Kiểm tra chữ ký số trên văn bản PDF", drop: "Kéo thả các tệp PDF vào đây, hoặc", choose: "Chọn tệp…",
    footer: "Kết quả theo ETSI EN 319 102-1. Tài liệu không được lưu lại; chỉ lưu mã băm SHA-256 và kết quả kiểm tra.",
    checking: "Đang kiểm tra…", TOTAL_PASSED: "HỢP LỆ", TOTAL_FAILED: "KHÔNG HỢP LỆ", INDETERMINATE: "CHƯA XÁC ĐỊNH", NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
    signature: "Chữ ký", signer: "Người ký", organization: "Cơ quan, tổ chức", time: "Thời gian ký", ts: "theo dấu thời gian", claimed: "theo khai báo của người ký",
    revocation: "Tình trạng thu hồi", modifications: "Thay đổi sau khi ký", none: "Không có", chain: "Chứng thư số", trusted: "Được tin cậy", untrusted: "Không được tin cậy",
    coverage: "Phạm vi ký", ENTIRE_FILE: "Toàn bộ văn bản", ENTIRE_REVISION: "Một phiên bản (văn bản có thay đổi sau khi ký)", NONE: "Không xác định",
    good: "chưa bị thu hồi", revoked: "đã bị thu hồi", undetermined: "không xác định được", since: "từ",
    unknown: "nơi cung cấp không biết chứng thư này", "no-information": "Không có thông tin thu hồi kèm theo", "not-checked": "Không kiểm tra",
    print: "In báo cáo", printing: "Đang lập báo cáo…", printFailed: "Không lập được báo cáo",
    error: "Lỗi", allowed: "được phép", disallowed: "KHÔNG được phép",
    HASH_FAILURE: "Văn bản đã bị sửa đổi sau khi ký", SIG_CRYPTO_FAILURE: "Chữ ký không khớp với chứng thư số", FORMAT_FAILURE: "Chữ ký sai định dạng hoặc bị giả mạo",
    REVOKED: "Chứng thư số đã bị thu hồi", EXPIRED: "Chứng thư số đã hết hạn khi ký", NOT_YET_VALID: "Chứng thư số chưa có hiệu lực khi ký",
    OUT_OF_BOUNDS_NO_POE: "Chứng thư số đã hết hạn, không có dấu thời gian", NO_CERTIFICATE_CHAIN_FOUND: "Chứng thư số không do tổ chức được tin cậy cấp",
    DISALLOWED_MODIFICATION: "Văn bản bị thay đổi không được phép sau khi ký", TRY_LATER: "Không kiểm tra được tình trạng thu hồi", REVOKED_NO_POE: "Chứng thư số đã bị thu hồi",
  },
  en: {
    logout: "Sign out",
    title: "Check the digital signatures of PDF documents", drop: "Drop PDF files here, or", choose: "Choose files…",
    footer: "Verdicts follow ETSI EN 319 102-1. Documents are not kept; only their SHA-256 and the verdict are recorded.",
    checking: "Checking…", TOTAL_PASSED: "VALID", TOTAL_FAILED: "INVALID", INDETERMINATE: "INDETERMINATE", NO_SIGNATURE: "NO SIGNATURE",
    signature: "Signature", signer: "Signer", organization: "Organization", time: "Signing time", ts: "from a timestamp", claimed: "claimed by the signer",
    revocation: "Revocation", modifications: "Changes after signing", none: "None", chain: "Certificate", trusted: "Trusted", untrusted: "Not trusted",
    coverage: "Coverage", ENTIRE_FILE: "The whole document", ENTIRE_REVISION: "One revision (the document changed after signing)", NONE: "Unknown",
    good: "not revoked", revoked: "revoked", undetermined: "could not be determined", since: "since",
    unknown: "the responder does not know the certificate", "no-information": "No revocation information included", "not-checked": "Not checked",
    print: "Print report", printing: "Making the report…", printFailed: "The report could not be made",
    error: "Error", allowed: "allowed", disallowed: "NOT allowed",
    HASH_FAILURE: "The document was changed after signing", SIG_CRYPTO_FAILURE: "The signature does not match the certificate", FORMAT_FAILURE: "Malformed or forged signature",
    REVOKED: "The certificate was revoked", EXPIRED: "The certificate had expired", NOT_YET_VALID: "The certificate was not yet valid",
    OUT_OF_BOUNDS_NO_POE: "The certificate has expired and there is no timestamp", NO_CERTIFICATE_CHAIN_FOUND: "The certificate was not issued by a trusted authority",
    DISALLOWED_MODIFICATION: "The document was changed in a way that is not allowed after signing", TRY_LATER: "Revocation could not be checked", REVOKED_NO_POE: "The certificate was revoked",
  },
};
// The texts of a report's codes, added to T: reasons (r:), warnings (w:), timestamp problems (tp:),
// revocation reasons (rr:) and change kinds (kind:), from their one source (@kyso/verify/texts), as
// the service serves them. Without them a reason or warning is the report's English sentence.
const verifyTexts = fetch("i18n/verify-texts.json", { credentials: "same-origin" })
  .then((res) => (res.ok ? res.json() : {}))
  .then((texts) => { for (const l of Object.keys(T)) Object.assign(T[l], texts[l]); })
  .catch(() => undefined);
// Vietnamese unless the user chose English here before (remembered), whatever the browser's locale.
let lang = localStorage.getItem("kyso-lang") === "en" ? "en" : "vi";
const reports = [];
const t = (k) => (T[lang][k] ?? k);

/**
 * A reason or warning of the report ({code, params, message}) in the page's language: the code's text
 * with its parameters (times in Vietnam time, a [[ ... ]] part left out when a parameter in it is
 * empty); the report's English sentence when the page has no text for the code.
 */
function detailText(d, kind) {
  const tpl = T[lang][`${kind === "reason" ? "r" : "w"}:${d.code}`];
  if (tpl === undefined) return d.message;
  const values = {};
  for (const [k, v] of Object.entries(d.params || {})) {
    const s = String(v);
    if (s === "") continue;
    if (k.endsWith("Time")) values[k] = vnTime(s);
    else if (k === "revocationReason") values[k] = T[lang][`rr:${s}`] ?? s;
    else if (k === "subIndication") values[k] = t(s);
    else if (k === "problems") values[k] = s.split(",").map((p) => T[lang][`tp:${p}`] ?? p).join("; ");
    else values[k] = s;
  }
  if (d.cause) values.cause = detailText(d.cause, "reason");
  else if (d.code === "SIGNATURE_NOT_VALID" && values.subIndication) values.cause = values.subIndication;
  let complete = true;
  const out = tpl
    .replace(/\[\[(.*?)\]\]/g, (_, inner) => ([...inner.matchAll(/\{(\w+)\}/g)].every((m) => m[1] in values) ? inner : ""))
    .replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : ((complete = false), m)));
  return complete ? out : d.message;
}

/** The reasons or warnings of a report, entry for entry, in the page's language. */
function detailTexts(messages, details, kind) {
  return messages.map((m, i) => {
    const d = details && (details[i] && details[i].message === m ? details[i] : details.find((x) => x.message === m));
    return d ? detailText(d, kind) : m;
  });
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}


function cls(ind) {
  return ind === "TOTAL_PASSED" ? "pass" : ind === "TOTAL_FAILED" ? "fail" : ind === "NO_SIGNATURE" ? "none" : "indeterminate";
}

/** Vietnam time (UTC+07:00 all year): "20:07 01/12/2026". */
function vnTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const v = new Date(d.getTime() + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${p(v.getUTCHours())}:${p(v.getUTCMinutes())} ${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}

/** The revocation result in words: "chưa bị thu hồi (OCSP, 20:07 01/12/2026)", "đã bị thu hồi …", "không xác định được — …". */
function revocationText(r) {
  const when = r.producedAt || r.thisUpdate || r.checkedAt;
  const details = [r.source ? r.source.toUpperCase() : null, when ? vnTime(when) : null].filter(Boolean);
  if (r.status === "good") return `${t("good")}${details.length ? ` (${details.join(", ")})` : ""}`;
  if (r.status === "revoked") {
    const since = r.revocationTime ? ` ${t("since")} ${vnTime(r.revocationTime)}` : "";
    return `${t("revoked")}${since}${details.length ? ` (${details.join(", ")})` : ""}`;
  }
  return `${t("undetermined")} — ${t(r.status)}`;
}

/** Posts the file again asking for the printable report (Accept: application/pdf) and opens it. */
async function printReport(item, button) {
  // The window is opened during the click so that popup blockers let it through; it gets the PDF when ready.
  const win = window.open("", "_blank");
  button.disabled = true;
  button.textContent = t("printing");
  try {
    const res = await api(`api/v1/verify?name=${encodeURIComponent(item.name)}&lang=${lang}`, { method: "POST", headers: { "content-type": "application/pdf", accept: "application/pdf" }, body: item.file });
    if (!res.ok || !(res.headers.get("content-type") || "").startsWith("application/pdf")) throw new Error(res.statusText);
    const url = URL.createObjectURL(await res.blob());
    if (win) win.location.href = url;
    else {
      const a = el("a", { href: url, download: `${item.name.replace(/\.pdf$/i, "")}.report.pdf` });
      document.body.append(a);
      a.click();
      a.remove();
    }
    item.li.dataset.printed = "true";
  } catch (e) {
    if (win) win.close();
    item.li.append(el("p", { class: "reason" }, `${t("printFailed")}: ${e.message || e}`));
  } finally {
    button.disabled = false;
    button.textContent = t("print");
  }
}

function renderDoc(item) {
  const li = item.li;
  li.replaceChildren();
  if (item.error) {
    li.className = "doc fail";
    li.append(el("h2", {}, item.name), el("p", { class: "reason" }, `${t("error")}: ${item.error}`));
    return;
  }
  const r = item.report;
  if (!r) {
    li.className = "doc";
    li.append(el("h2", {}, item.name), el("p", {}, t("checking")));
    return;
  }
  li.className = `doc ${cls(r.indication)}`;
  li.dataset.indication = r.indication;
  li.append(el("h2", {}, item.name, " ", el("span", { class: "verdict" }, t(r.indication))));
  const print = el("button", { type: "button", class: "print" }, t("print"));
  print.addEventListener("click", () => printReport(item, print));
  li.append(print);
  if (r.subIndication) li.append(el("p", { class: "reason" }, t(r.subIndication)));
  if (r.signatures.length === 0) for (const x of detailTexts(r.reasons, r.reasonDetails, "reason")) li.append(el("p", {}, x));
  r.signatures.forEach((s, i) => {
    const dl = el("dl");
    const row = (k, v) => dl.append(el("dt", {}, t(k)), el("dd", {}, v));
    if (s.signer) row("signer", s.signer.commonName || s.signer.subject);
    if (s.signer && s.signer.organization) row("organization", s.signer.organization);
    if (s.signingTime) row("time", `${new Date(s.signingTime).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" })} (${t(s.timeSource === "timestamp" ? "ts" : "claimed")})`);
    row("chain", t(s.chain.trusted ? "trusted" : "untrusted"));
    row("coverage", t(s.coverage));
    if (s.type !== "timestamp") row("revocation", revocationText(s.revocation));
    const mods = s.modifications.changes.length === 0 ? t("none") : s.modifications.changes.slice(0, 6).map((c) => `${lang === "vi" ? [t(`kind:${c.kind}`), c.object, c.field !== undefined ? `"${c.field}"` : null].filter(Boolean).join(" ") : c.description} (${t(c.allowed ? "allowed" : "disallowed")})`).join("; ");
    row("modifications", mods);
    const box = el("div", { class: `sig ${cls(s.indication)}` }, el("strong", {}, `${t("signature")} ${i + 1}: ${s.field} — `, el("span", { class: "sig-verdict" }, t(s.indication))), dl);
    if (s.indication !== "TOTAL_PASSED") {
      if (s.subIndication) box.append(el("p", { class: "reason" }, t(s.subIndication)));
      for (const x of detailTexts(s.reasons.slice(0, 2), s.reasonDetails, "reason")) box.append(el("p", { class: "reason detail" }, x));
    }
    for (const w of detailTexts(s.warnings, s.warningDetails, "warning")) box.append(el("p", { class: "warn" }, w));
    li.append(box);
  });
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  document.title = `Kyso – ${t("title")}`;
  for (const item of reports) renderDoc(item);
}

async function check(file) {
  const li = el("li", { class: "doc" });
  document.getElementById("results").prepend(li);
  const item = { name: file.name, file, li, report: null, error: null };
  reports.push(item);
  renderDoc(item);
  try {
    const res = await api(`api/v1/verify?name=${encodeURIComponent(file.name)}`, { method: "POST", headers: { "content-type": "application/pdf" }, body: file });
    const [body] = await Promise.all([res.json(), verifyTexts]);
    if (!res.ok) item.error = body.error || res.statusText;
    else item.report = body;
  } catch (e) {
    item.error = String(e);
  }
  renderDoc(item);
}

function handle(files) {
  for (const f of files) check(f);
}

document.getElementById("files").addEventListener("change", (e) => handle(e.target.files));
const drop = document.getElementById("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); handle(e.dataTransfer.files); });
for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { lang = b.dataset.lang; localStorage.setItem("kyso-lang", lang); applyLang(); });
applyLang();
userBar();
