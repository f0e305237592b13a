// The clerks' inbox: documents received from the axis, newest first, with their verdicts; a detail
// view with every signature's findings and the attachments. No CDN, no framework.
"use strict";
const T = {
  vi: {
    logout: "Đăng xuất",
    title: "Văn bản đến qua trục liên thông", verdict: "Kết quả kiểm tra", all: "Tất cả", sender: "Nơi gửi", filter: "Lọc",
    received: "Ngày đến", number: "Số, ký hiệu", subject: "Trích yếu", date: "Ngày văn bản", attachments: "Tệp", status: "Trạng thái",
    footer: "Mỗi gói tin được kiểm tra chữ ký XML và chữ ký số của từng văn bản PDF (ETSI EN 319 102-1). Không xoá văn bản nào.",
    TOTAL_PASSED: "HỢP LỆ", TOTAL_FAILED: "KHÔNG HỢP LỆ", INDETERMINATE: "CHƯA XÁC ĐỊNH", NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ",
    received_s: "Chờ vào sổ", registered: "Đã vào sổ", returned: "Đã trả lại", count: (n) => `${n} văn bản`, empty: "Chưa có văn bản đến",
    to: "Nơi nhận", documentId: "Mã văn bản", signerInfo: "Người ký", dueDate: "Hạn xử lý", xml: "Chữ ký của gói tin (XML)", weak: "thuật toán yếu (SHA-1)",
    att: "Tệp đính kèm", download: "Tải về", signature: "Chữ ký", signer: "Người ký", organization: "Cơ quan, tổ chức", chain: "Chứng thư số",
    trusted: "Được tin cậy", untrusted: "Không được tin cậy", coverage: "Phạm vi ký", ENTIRE_FILE: "Toàn bộ văn bản", ENTIRE_REVISION: "Một phiên bản (văn bản có thay đổi sau khi ký)", PARTIAL: "Một phần", NONE: "Không xác định",
    notPdf: "Không phải PDF", events: "Lịch sử", arrival: "Số đến", register: "Vào sổ", reason: "Lý do", return: "Trả lại", package: "Tải gói tin",
    error: "Lỗi", close: "Đóng",
    HASH_FAILURE: "Văn bản đã bị sửa đổi sau khi ký", SIG_CRYPTO_FAILURE: "Chữ ký không khớp với chứng thư số", FORMAT_FAILURE: "Sai định dạng hoặc bị giả mạo",
    NO_CERTIFICATE_CHAIN_FOUND: "Chứng thư số không do tổ chức được tin cậy cấp", SIGNED_DATA_NOT_FOUND: "Gói tin không có chữ ký", REVOKED: "Chứng thư số đã bị thu hồi",
    OUT_OF_BOUNDS_NO_POE: "Chứng thư số đã hết hạn, không có dấu thời gian", DISALLOWED_MODIFICATION: "Văn bản bị thay đổi không được phép sau khi ký", SIG_CONSTRAINTS_FAILURE: "Chữ ký không bao trùm cả gói tin",
  },
  en: {
    logout: "Sign out",
    title: "Documents received through the axis", verdict: "Verdict", all: "All", sender: "Sender", filter: "Filter",
    received: "Received", number: "Number", subject: "Subject", date: "Document date", attachments: "Files", status: "Status",
    footer: "Each package's XML signature and every PDF's signatures are checked (ETSI EN 319 102-1). Nothing is deleted.",
    TOTAL_PASSED: "VALID", TOTAL_FAILED: "INVALID", INDETERMINATE: "INDETERMINATE", NO_SIGNATURE: "NO SIGNATURE",
    received_s: "To register", registered: "Registered", returned: "Returned", count: (n) => `${n} documents`, empty: "No documents received yet",
    to: "Recipients", documentId: "Document id", signerInfo: "Signed by", dueDate: "Due", xml: "Package signature (XML)", weak: "weak algorithm (SHA-1)",
    att: "Attachments", download: "Download", signature: "Signature", signer: "Signer", organization: "Organization", chain: "Certificate",
    trusted: "Trusted", untrusted: "Not trusted", coverage: "Coverage", ENTIRE_FILE: "The whole document", ENTIRE_REVISION: "One revision (the document changed after signing)", PARTIAL: "Part", NONE: "Unknown",
    notPdf: "Not a PDF", events: "History", arrival: "Arrival number", register: "Register", reason: "Reason", return: "Return", package: "Download package",
    error: "Error", close: "Close",
    HASH_FAILURE: "The document was changed after signing", SIG_CRYPTO_FAILURE: "The signature does not match the certificate", FORMAT_FAILURE: "Malformed or forged",
    NO_CERTIFICATE_CHAIN_FOUND: "The certificate was not issued by a trusted authority", SIGNED_DATA_NOT_FOUND: "The package is not signed", REVOKED: "The certificate was revoked",
    OUT_OF_BOUNDS_NO_POE: "The certificate has expired and there is no timestamp", DISALLOWED_MODIFICATION: "The document was changed in a way that is not allowed after signing", SIG_CONSTRAINTS_FAILURE: "The signature does not cover the whole package",
  },
};
// Vietnamese unless the user chose English here before (remembered), whatever the browser's locale.
let lang = localStorage.getItem("kyso-lang") === "en" ? "en" : "vi";
let items = [];
let current = null;
let loads = 0;
const t = (k, ...a) => { const v = T[lang][k]; return typeof v === "function" ? v(...a) : (v ?? k); };
const cls = (ind) => (ind === "TOTAL_PASSED" ? "pass" : ind === "TOTAL_FAILED" ? "fail" : ind === "NO_SIGNATURE" ? "none" : "indeterminate");
const when = (iso) => new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" });

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}

const verdict = (ind) => el("span", { class: "verdict" }, t(ind));
const statusText = (s) => t(s === "received" ? "received_s" : s);

function renderList() {
  const body = document.querySelector("#inbox tbody");
  body.replaceChildren();
  for (const it of items) {
    const number = [it.codeNumber, it.codeNotation].filter(Boolean).join("/");
    const tr = el("tr", { class: `item ${cls(it.indication)}`, "data-id": String(it.id), "data-indication": it.indication, tabindex: "0" },
      el("td", {}, when(it.receivedAt)), el("td", { class: "sender" }, it.senderName || it.senderId || ""), el("td", { class: "number" }, number),
      el("td", { class: "subject" }, it.subject || ""), el("td", {}, it.promulgationDate || ""), el("td", { class: "natt" }, String(it.attachmentCount)),
      el("td", { class: cls(it.indication) }, verdict(it.indication)), el("td", { class: "status" }, statusText(it.status)));
    if (current && current.id === it.id) tr.classList.add("selected");
    tr.addEventListener("click", () => open(it.id));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") open(it.id); });
    body.append(tr);
  }
  document.getElementById("count").textContent = items.length ? t("count", items.length) : t("empty");
}

function pdfFindings(r) {
  const box = el("div");
  if (r.subIndication) box.append(el("p", { class: "reason" }, t(r.subIndication)));
  if (!r.signatures || r.signatures.length === 0) for (const x of r.reasons || []) box.append(el("p", {}, x));
  (r.signatures || []).forEach((s, i) => {
    const dl = el("dl");
    const row = (k, v) => dl.append(el("dt", {}, t(k)), el("dd", {}, v));
    if (s.signer) row("signer", s.signer.commonName || s.signer.subject);
    if (s.signer && s.signer.organization) row("organization", s.signer.organization);
    row("chain", t(s.chain.trusted ? "trusted" : "untrusted"));
    row("coverage", t(s.coverage));
    const sig = el("div", { class: `sig ${cls(s.indication)}` }, el("strong", {}, `${t("signature")} ${i + 1}: ${s.field} — `, el("span", { class: "sig-verdict" }, t(s.indication))), dl);
    if (s.indication !== "TOTAL_PASSED") {
      if (s.subIndication) sig.append(el("p", { class: "reason" }, t(s.subIndication)));
      for (const x of s.reasons.slice(0, 2)) sig.append(el("p", { class: "reason detail" }, x));
    }
    box.append(sig);
  });
  return box;
}

function renderDetail() {
  const sec = document.getElementById("detail");
  if (!current) { sec.hidden = true; return; }
  const r = current.report || {};
  const h = r.header || {};
  sec.hidden = false;
  sec.className = cls(current.indication);
  sec.dataset.id = String(current.id);
  sec.dataset.indication = current.indication;
  sec.replaceChildren();
  sec.append(el("h2", {}, [current.codeNumber, current.codeNotation].filter(Boolean).join("/") || `#${current.id}`, " ", verdict(current.indication), " ", el("span", { class: "status" }, statusText(current.status))));
  if (current.subIndication) sec.append(el("p", { class: "reason" }, t(current.subIndication)));
  for (const x of r.reasons || []) sec.append(el("p", { class: "reason detail" }, x));
  const dl = el("dl", { class: "head" });
  const row = (k, v) => { if (v) dl.append(el("dt", {}, t(k)), el("dd", {}, v)); };
  row("sender", [current.senderName, current.senderId && `(${current.senderId})`].filter(Boolean).join(" "));
  row("to", (h.to || []).map((o) => o.organName || o.organId).join("; "));
  row("documentId", current.documentId);
  row("subject", current.subject);
  row("date", current.promulgationDate);
  row("signerInfo", h.signerInfo && [h.signerInfo.competence, h.signerInfo.position, h.signerInfo.fullName].filter(Boolean).join(", "));
  row("dueDate", h.dueDate);
  row("received", when(current.receivedAt));
  row("arrival", current.arrivalNumber);
  sec.append(dl);
  const x = r.xmlSignature;
  if (x) {
    const box = el("div", { class: `att xml ${cls(x.indication)}`, "data-indication": x.indication },
      el("h4", {}, `${t("xml")}: `, verdict(x.indication), x.weak ? ` — ${t("weak")}` : ""));
    if (x.signer) box.append(el("p", {}, `${t("signer")}: ${x.signer.subject}`));
    if (x.subIndication) box.append(el("p", { class: "reason" }, t(x.subIndication)));
    sec.append(box);
  }
  sec.append(el("h3", {}, t("att")));
  const reports = r.attachments || (r.signatures ? [{ index: 0, report: r }] : []);
  for (const a of current.attachments) {
    const rep = (reports.find((z) => z.index === a.n) || {}).report;
    const link = el("a", { href: `api/v1/inbox/${current.id}/attachments/${a.n}`, download: a.name, class: "download" }, t("download"));
    const box = el("div", { class: `att file ${a.indication ? cls(a.indication) : "none"}`, "data-name": a.name, "data-indication": a.indication || "" },
      el("h4", {}, a.name, " ", a.indication ? verdict(a.indication) : el("span", {}, `(${t("notPdf")})`), " ", link),
      el("p", { class: "hash" }, `${a.size} B · SHA-256 ${a.sha256}`));
    if (rep) box.append(pdfFindings(rep));
    sec.append(box);
  }
  const actions = el("div", { class: "actions" });
  if (current.status === "received") {
    const reg = el("form", { id: "register" }, el("label", {}, t("arrival"), " ", el("input", { name: "arrivalNumber", required: "" })), el("button", { type: "submit" }, t("register")));
    reg.addEventListener("submit", (e) => { e.preventDefault(); act("register", { arrivalNumber: reg.arrivalNumber.value }); });
    const ret = el("form", { id: "return" }, el("label", {}, t("reason"), " ", el("input", { name: "reason", required: "" })), el("button", { type: "submit" }, t("return")));
    ret.addEventListener("submit", (e) => { e.preventDefault(); act("return", { reason: ret.reason.value }); });
    actions.append(reg, ret);
  }
  actions.append(el("a", { href: `api/v1/inbox/${current.id}/package`, class: "download" }, t("package")));
  sec.append(actions);
  const ev = el("ul", { class: "events" });
  for (const e of current.events) ev.append(el("li", {}, `${when(e.at)} — ${statusText(e.kind)} — ${e.actor}${e.details.arrivalNumber ? ` — ${e.details.arrivalNumber}` : ""}${e.details.reason ? ` — ${e.details.reason}` : ""}`));
  sec.append(el("h3", {}, t("events")), ev);
}

async function act(what, body) {
  const res = await api(`api/v1/inbox/${current.id}/${what}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) { alert(`${t("error")}: ${out.error}`); return; }
  current = out;
  await load();
}

async function open(id) {
  const res = await api(`api/v1/inbox/${id}`);
  if (!res.ok) return;
  current = await res.json();
  renderList();
  renderDetail();
}

async function load() {
  const q = new URLSearchParams();
  const ind = document.getElementById("f-indication").value;
  const sender = document.getElementById("f-sender").value.trim();
  if (ind) q.set("indication", ind);
  if (sender) q.set("sender", sender);
  const res = await api(`api/v1/inbox?${q}`);
  items = res.ok ? (await res.json()).items : [];
  document.body.dataset.loads = String(++loads);
  renderList();
  renderDetail();
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  document.title = `Kyso – ${t("title")}`;
  renderList();
  renderDetail();
}

document.getElementById("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
document.getElementById("f-indication").addEventListener("change", () => load());
for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { lang = b.dataset.lang; localStorage.setItem("kyso-lang", lang); applyLang(); });
applyLang();
userBar();
load();
