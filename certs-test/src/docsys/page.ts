import type { DocsysDocument } from "./server.js";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The kinds a document system asks for (the compatible contract's functions), as the select shows them. */
const KINDS: [string, string][] = [
  ["SignApproved", "Ký duyệt (chữ ký cá nhân)"],
  ["SignIssued", "Ký ban hành (đóng dấu cơ quan)"],
  ["SignIncome", "Ký văn bản đến"],
  ["SignAppendix", "Ký phụ lục"],
  ["SignCopy", "Ký bản sao"],
];

const kindSelect = (cls: string): string => `<select class="${cls}">${KINDS.map(([v, l]) => `<option value="${v}">${esc(l)}</option>`).join("")}</select>`;

export function docsysPage(o: { documents: DocsysDocument[]; agentUrl: string; origin: string; jwt: string }): string {
  const config = JSON.stringify({ agentUrl: o.agentUrl, origin: o.origin, jwt: o.jwt, session: `demo-${Date.now().toString(36)}` }).replace(/</g, "\\u003c");
  const rows = o.documents
    .map(
      (d) => `<tr class="doc" data-id="${esc(d.id)}" data-title="${esc(d.title)}" data-state="idle">
<td class="title">${esc(d.title)}</td><td>${kindSelect("kind")}</td>
<td><button type="button" class="sign">Ký số</button></td>
<td class="status"></td><td class="message"></td><td class="link"></td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Hệ thống quản lý văn bản và điều hành (demo)</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}tr[data-state=ok] .status{color:#1e8e3e}tr[data-state=error] .status{color:#d93025}</style></head>
<body><h1>Hệ thống quản lý văn bản và điều hành (demo)</h1>
<p>Agent ký số: <code id="agent">${esc(o.agentUrl)}</code> · kết nối: <span id="connection" data-state="idle">chưa kết nối</span></p>
<table><thead><tr><th>Văn bản</th><th>Kiểu ký</th><th></th><th>Status</th><th>Thông báo</th><th>Tệp đã ký</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>${kindSelect("batch-kind")} <button type="button" id="sign-all">Ký tất cả</button>
<span id="batch-result" data-state="idle"></span></p>
<script type="application/json" id="config">${config}</script>
<script src="/app.js"></script></body></html>`;
}

/** The page's script: one WebSocket call per click, the compatible contract's message, the answer shown per row. */
export const DOCSYS_SCRIPT = `"use strict";
(function () {
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var META = {
    SignApproved: [{ Key: "title", Value: "CHUYÊN VIÊN" }],
    SignIssued: [],
    SignIncome: [{ Key: "arrivalNo", Value: "125" }],
    SignAppendix: [{ Key: "DocumentNumber", Value: "123/QĐ-UBND" }],
    SignCopy: [{ Key: "copyForm", Value: "SAO Y" }]
  };
  var conn = document.getElementById("connection");
  function setConn(state, text) { conn.setAttribute("data-state", state); conn.textContent = text; }
  function call(message, onAnswer) {
    var ws, answered = false;
    try { ws = new WebSocket(cfg.agentUrl); } catch (e) { setConn("refused", String(e)); onAnswer(null, String(e)); return; }
    ws.onopen = function () { setConn("open", "đã kết nối"); ws.send(JSON.stringify(message)); };
    ws.onmessage = function (ev) {
      answered = true;
      var a;
      try { a = JSON.parse(ev.data); } catch (e) { a = { Status: -1, Message: "Trả lời của agent không phải JSON" }; }
      ws.close();
      onAnswer(a);
    };
    ws.onclose = function () {
      if (answered) { setConn("closed", "đã xong"); return; }
      setConn("refused", "không kết nối được");
      onAnswer(null, "Không kết nối được tới agent ký số " + cfg.agentUrl + " (agent chưa chạy, hoặc trang này không được phép)");
    };
  }
  function fileUrl(id) { return cfg.origin + "/files/" + encodeURIComponent(id); }
  function uploadUrl(id) { return cfg.origin + "/upload/" + encodeURIComponent(id); }
  function show(row, a, error) {
    var ok = a && a.Status === 0;
    row.setAttribute("data-state", ok ? "ok" : "error");
    row.querySelector(".status").textContent = a ? String(a.Status) : "—";
    row.querySelector(".message").textContent = a ? (a.Message || "") : error;
    var cell = row.querySelector(".link");
    cell.textContent = "";
    if (ok && a.FileServer) {
      var link = document.createElement("a");
      link.className = "signed";
      link.href = a.FileServer;
      link.textContent = "Tải bản đã ký";
      cell.appendChild(link);
    }
  }
  function message(kind, extra) {
    var m = { FunctionName: kind, SessionId: cfg.session, JWTToken: cfg.jwt, MetaData: META[kind] || [] };
    for (var k in extra) m[k] = extra[k];
    return m;
  }
  Array.prototype.forEach.call(document.querySelectorAll("tr.doc"), function (row) {
    row.querySelector("button.sign").addEventListener("click", function () {
      var id = row.getAttribute("data-id");
      var kind = row.querySelector("select.kind").value;
      row.setAttribute("data-state", "waiting");
      row.querySelector(".message").textContent = "Đang chờ xác nhận trong agent ký số…";
      call(message(kind, { FileName: fileUrl(id), FileUploadHandler: uploadUrl(id), DisplayName: row.getAttribute("data-title") }), function (a, error) { show(row, a, error); });
    });
  });
  document.getElementById("sign-all").addEventListener("click", function () {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.doc"));
    var kind = document.querySelector("select.batch-kind").value;
    var result = document.getElementById("batch-result");
    result.setAttribute("data-state", "waiting");
    result.textContent = "Đang chờ xác nhận trong agent ký số…";
    rows.forEach(function (r) { r.setAttribute("data-state", "waiting"); });
    var files = rows.map(function (r) {
      var id = r.getAttribute("data-id");
      return { FileID: id, FileName: r.getAttribute("data-title"), URL: fileUrl(id), FileUploadHandler: uploadUrl(id) };
    });
    call(message(kind, { Files: files }), function (a, error) {
      result.setAttribute("data-state", a && a.Status === 0 ? "ok" : "error");
      result.textContent = a ? "Status " + a.Status + ": " + (a.Message || "") : error;
      rows.forEach(function (r) {
        var mine = a && a.Files ? a.Files.filter(function (f) { return f.FileID === r.getAttribute("data-id"); })[0] : null;
        show(r, mine || a, error);
      });
    });
  });
})();
`;
