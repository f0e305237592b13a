import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { agentEvent, type AgentLog } from "./log-events.js";
import type { AgentPrompt, ConfirmRequest, PinRequest, SecretKind, SecretRequest, WaitingRequest } from "./types.js";

/**
 * The confirmation page: the agent's own page at /confirm (same port), listing what waits for the
 * officer. Each pending item carries a random token that only this page shows; an answer is a POST
 * whose Origin is the agent's own (no other site can answer for the officer), and the page cannot
 * be framed (no click-jacking). The PIN typed here goes to the token and nowhere else.
 */

type Pending =
  | { kind: "confirm"; request: ConfirmRequest; token: string; resolve: (yes: boolean) => void; created: number }
  | { kind: SecretKind; request: PinRequest & { label?: string }; token: string; resolve: (secret: string | null) => void; created: number }
  | { kind: "waiting"; request: WaitingRequest; token: string; resolve: (v: null) => void; created: number };

const SECRET_KINDS: readonly string[] = ["pin", "otp", "password"];

const TEXT = {
  vi: {
    title: "Kyso — xác nhận ký số",
    heading: "Yêu cầu ký số đang chờ",
    none: "Không có yêu cầu nào đang chờ. Trang này tự cập nhật.",
    site: "Trang web yêu cầu",
    operation: "Thao tác",
    document: "Văn bản",
    pages: "Số trang",
    kind: "Kiểu chữ ký",
    size: "Dung lượng",
    approve: "Đồng ý ký",
    reject: "Từ chối",
    pairHeading: "Ghép nối trang web mới",
    pairText: "Trang web này muốn dùng chữ ký số của anh/chị lần đầu. Chỉ đồng ý nếu đó là hệ thống quản lý văn bản của cơ quan.",
    pair: "Cho phép trang này",
    pinHeading: "Nhập mã PIN của token",
    pinText: "Mã PIN chỉ được chuyển tới token, không gửi cho trang web.",
    pinSubmit: "Xác nhận PIN",
    pinCancel: "Hủy",
    forLabel: "Dùng cho",
    otpHeading: "Nhập mã xác thực một lần (OTP)",
    otpText: "Mã OTP chỉ được gửi tới dịch vụ ký số từ xa, không gửi cho trang web.",
    otpSubmit: "Xác nhận OTP",
    passwordHeading: "Nhập mật khẩu tệp chữ ký số (PKCS#12)",
    passwordText: "Mật khẩu chỉ dùng để mở tệp trên máy này, không gửi cho trang web.",
    passwordSubmit: "Xác nhận mật khẩu",
    waitingHeading: "Đang chờ phê duyệt trên điện thoại",
    waitingText: (count: number, minutes: number) => `Hãy mở ứng dụng ký số trên điện thoại và phê duyệt yêu cầu ký ${count} văn bản (chờ tối đa ${minutes} phút).`,
    other: "English",
    kinds: { personal: "Chữ ký cá nhân", organization: "Con dấu cơ quan", incoming: "Dấu văn bản đến", attachment: "Phụ lục", copy: "Bản sao", none: "Chữ ký không hiển thị" } as Record<string, string>,
    done: "Đã ghi nhận.",
  },
  en: {
    title: "Kyso — signing confirmation",
    heading: "Signing requests waiting",
    none: "No request is waiting. This page updates itself.",
    site: "Requesting site",
    operation: "Operation",
    document: "Document",
    pages: "Pages",
    kind: "Signature kind",
    size: "Size",
    approve: "Sign",
    reject: "Refuse",
    pairHeading: "Pair a new site",
    pairText: "This site wants to use your digital signature for the first time. Only allow it if it is your agency's document system.",
    pair: "Allow this site",
    pinHeading: "Enter the token PIN",
    pinText: "The PIN goes to the token only, never to the web page.",
    pinSubmit: "Confirm PIN",
    pinCancel: "Cancel",
    forLabel: "For",
    otpHeading: "Enter the one-time code (OTP)",
    otpText: "The code goes to the remote signing service only, never to the web page.",
    otpSubmit: "Confirm OTP",
    passwordHeading: "Enter the password of the signature file (PKCS#12)",
    passwordText: "The password only opens the file on this computer; it never goes to the web page.",
    passwordSubmit: "Confirm password",
    waitingHeading: "Waiting for approval on your phone",
    waitingText: (count: number, minutes: number) => `Open the signing app on your phone and approve signing ${count} document(s) (waiting up to ${minutes} min).`,
    other: "Tiếng Việt",
    kinds: { personal: "Personal signature", organization: "Organization seal", incoming: "Incoming stamp", attachment: "Attachment", copy: "Copy", none: "Invisible signature" } as Record<string, string>,
    done: "Recorded.",
  },
};

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

const SCRIPT = `"use strict";
// Reload when the set of pending requests changes, unless the officer is typing a PIN.
(function () {
  var shown = document.body.getAttribute("data-pending") || "";
  setInterval(function () {
    fetch("/confirm/pending", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (j) {
      var ids = j.pending.join(",");
      var typing = Array.prototype.some.call(document.querySelectorAll("input[name=pin], input[name=otp], input[name=password]"), function (i) { return i.value !== ""; });
      if (ids !== shown && !typing) location.reload();
    }).catch(function () {});
  }, 1000);
})();
`;

export class PagePrompt implements AgentPrompt {
  private readonly pending = new Map<string, Pending>();
  /** The agent's own origin (https://127.0.0.1:PORT), set once the server listens. */
  selfOrigin = "";

  constructor(
    private readonly defaultLang: "vi" | "en" = "vi",
    private readonly onPending: AgentLog = () => undefined,
  ) {}

  confirm(request: ConfirmRequest): Promise<boolean> {
    return this.add("confirm", request) as Promise<boolean>;
  }

  pin(request: PinRequest): Promise<string | null> {
    return this.add("pin", request) as Promise<string | null>;
  }

  /** A PIN (the `pin` card, field `pin`), an OTP (field `otp`) or a PKCS#12 password (field `password`). */
  secret(request: SecretRequest): Promise<string | null> {
    return this.add(request.kind, request) as Promise<string | null>;
  }

  /** A card saying that the request waits for the officer's phone; the returned function takes it down. */
  waiting(request: WaitingRequest): () => void {
    const key = `waiting-${request.id}`;
    const item: Pending = { kind: "waiting", request, token: "", resolve: () => undefined, created: Date.now() };
    this.pending.set(key, item);
    this.onPending(agentEvent.phoneCard(request.origin, `${this.selfOrigin}/confirm`));
    return () => {
      if (this.pending.get(key) === item) this.pending.delete(key);
    };
  }

  private add(kind: "confirm" | SecretKind, request: ConfirmRequest | PinRequest): Promise<boolean | string | null> {
    return new Promise((resolve) => {
      const key = `${kind}-${request.id}`;
      const token = randomBytes(24).toString("base64url");
      const item = { kind, request, token, resolve, created: Date.now() } as Pending;
      this.pending.set(key, item);
      const drop = (): void => {
        if (this.pending.get(key) === item) {
          this.pending.delete(key);
          resolve(kind === "confirm" ? false : null);
        }
      };
      if (request.signal?.aborted) return drop();
      request.signal?.addEventListener("abort", drop, { once: true });
      const what = kind !== "confirm" ? kind : (request as ConfirmRequest).documents?.length ? "signing" : "pairing";
      this.onPending(agentEvent.promptPending(what, request.origin, `${this.selfOrigin}/confirm`));
    });
  }

  /** Pending requests, for `kyso agent status` and tests. */
  list(): { key: string; kind: string; origin: string }[] {
    return [...this.pending.entries()].map(([key, p]) => ({ key, kind: p.kind, origin: p.request.origin }));
  }

  /** Handles /confirm, /confirm/app.js, /confirm/pending and POST /confirm/answer; false when the path is not the page's. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith("/confirm")) return false;
    pageHeaders(res);
    if (req.method === "GET" && url.pathname === "/confirm") {
      const lang = url.searchParams.get("lang") === "en" ? "en" : url.searchParams.get("lang") === "vi" ? "vi" : this.defaultLang;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(this.render(lang));
      return true;
    }
    if (req.method === "GET" && url.pathname === "/confirm/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(SCRIPT);
      return true;
    }
    if (req.method === "GET" && url.pathname === "/confirm/pending") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ pending: [...this.pending.keys()] }));
      return true;
    }
    if (req.method === "POST" && url.pathname === "/confirm/answer") {
      void this.answer(req, res);
      return true;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found");
    return true;
  }

  /** A POST is accepted only from this page: its Origin (else its Referer) is the agent's own. */
  private fromSelf(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined) return origin === this.selfOrigin;
    const referer = req.headers.referer;
    return typeof referer === "string" && referer.startsWith(`${this.selfOrigin}/`);
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.fromSelf(req)) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
      res.end("Forbidden: answers come only from the agent's own page");
      req.resume();
      return;
    }
    let body = "";
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 16 * 1024) {
        res.writeHead(413).end();
        return;
      }
    }
    const type = String(req.headers["content-type"] ?? "");
    let form: Record<string, string>;
    try {
      form = type.startsWith("application/json") ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const item = this.pending.get(String(form.key ?? ""));
    const given = Buffer.from(String(form.token ?? ""));
    if (!item || item.kind === "waiting" || given.length !== Buffer.from(item.token).length || !timingSafeEqual(given, Buffer.from(item.token))) {
      res.writeHead(409, { "content-type": "text/plain; charset=utf-8" });
      res.end("This request is no longer waiting (answered, withdrawn or timed out)");
      return;
    }
    const action = String(form.action ?? "");
    this.pending.delete(String(form.key));
    if (item.kind === "confirm") item.resolve(action === "approve");
    else if (SECRET_KINDS.includes(item.kind)) item.resolve(action === `${item.kind}-submit` ? String(form[item.kind] ?? "") : null);
    if (type.startsWith("application/json")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    } else {
      const lang = form.lang === "en" ? "en" : "vi";
      res.writeHead(303, { location: `/confirm${lang !== this.defaultLang ? `?lang=${lang}` : ""}` });
      res.end();
    }
  }

  private render(lang: "vi" | "en"): string {
    const t = TEXT[lang];
    const items = [...this.pending.entries()].sort((a, b) => a[1].created - b[1].created);
    const hidden = (key: string, p: Pending): string =>
      `<input type="hidden" name="key" value="${esc(key)}"><input type="hidden" name="token" value="${esc(p.token)}"><input type="hidden" name="lang" value="${lang}">`;
    const cards = items.map(([key, p]) => {
      if (p.kind === "waiting") {
        const w = p.request;
        return `<section class="card" data-kind="waiting" data-origin="${esc(w.origin)}"><h2>${esc(t.waitingHeading)}</h2>
<p>${esc(t.site)}: <strong class="origin">${esc(w.origin)}</strong></p><p class="waiting">${esc(t.waitingText(w.count, Math.max(1, Math.round(w.timeoutMs / 60_000))))}</p></section>`;
      }
      if (p.kind === "pin" || p.kind === "otp" || p.kind === "password") {
        const k = p.kind;
        const heading = k === "pin" ? t.pinHeading : k === "otp" ? t.otpHeading : t.passwordHeading;
        const text = k === "pin" ? t.pinText : k === "otp" ? t.otpText : t.passwordText;
        const submit = k === "pin" ? t.pinSubmit : k === "otp" ? t.otpSubmit : t.passwordSubmit;
        const label = p.request.label ? `<p class="for">${esc(t.forLabel)}: <strong>${esc(p.request.label)}</strong></p>` : "";
        const mode = k === "otp" ? ` inputmode="numeric"` : "";
        return `<section class="card" data-kind="${k}" data-origin="${esc(p.request.origin)}"><h2>${esc(heading)}</h2>
<p>${esc(t.site)}: <strong class="origin">${esc(p.request.origin)}</strong></p>${label}<p>${esc(text)}</p>
<form method="post" action="/confirm/answer" autocomplete="off">${hidden(key, p)}
<input name="${k}" type="password" autocomplete="off"${mode} autofocus>
<button type="submit" name="action" value="${k}-submit" data-action="${k}-submit">${esc(submit)}</button>
<button type="submit" name="action" value="${k}-cancel" data-action="${k}-cancel" formnovalidate>${esc(t.pinCancel)}</button></form></section>`;
      }
      if (p.kind !== "confirm") return "";
      const r = p.request;
      if (r.operation === "pair") {
        return `<section class="card" data-kind="pair" data-origin="${esc(r.origin)}"><h2>${esc(t.pairHeading)}</h2>
<p>${esc(t.site)}: <strong class="origin">${esc(r.origin)}</strong></p><p>${esc(t.pairText)}</p>
<form method="post" action="/confirm/answer">${hidden(key, p)}
<button type="submit" name="action" value="approve" data-action="approve">${esc(t.pair)}</button>
<button type="submit" name="action" value="reject" data-action="reject">${esc(t.reject)}</button></form></section>`;
      }
      const rows = r.documents
        .map((d) => `<tr><td class="doc-name">${esc(d.name)}</td><td class="doc-pages">${d.pages}</td><td class="doc-kind">${esc(t.kinds[d.kind] ?? d.kind)}</td><td>${esc(sizeText(d.sizeBytes))}</td></tr>`)
        .join("");
      return `<section class="card" data-kind="confirm" data-origin="${esc(r.origin)}" data-operation="${esc(r.operation)}"><h2>${esc(t.heading)}</h2>
<p>${esc(t.site)}: <strong class="origin">${esc(r.origin)}</strong> · ${esc(t.operation)}: <strong class="operation">${esc(r.operation)}</strong></p>
<table><thead><tr><th>${esc(t.document)}</th><th>${esc(t.pages)}</th><th>${esc(t.kind)}</th><th>${esc(t.size)}</th></tr></thead><tbody>${rows}</tbody></table>
<form method="post" action="/confirm/answer">${hidden(key, p)}
<button type="submit" name="action" value="approve" data-action="approve">${esc(t.approve)}</button>
<button type="submit" name="action" value="reject" data-action="reject">${esc(t.reject)}</button></form></section>`;
    });
    return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title><style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #bbb;border-radius:8px;padding:1rem;margin:1rem 0}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}
button{font-size:1rem;padding:.5rem 1rem;margin:.5rem .5rem 0 0}button[data-action=approve],button[data-action$=-submit]{background:#0a5;color:#fff;border:0;border-radius:4px}
.origin{color:#a00}</style></head>
<body data-pending="${esc(items.map(([k]) => k).join(","))}"><p><a href="/confirm?lang=${lang === "vi" ? "en" : "vi"}">${esc(t.other)}</a></p><h1>${esc(t.title)}</h1>
${cards.length ? cards.join("\n") : `<p class="none">${esc(t.none)}</p>`}
<script src="/confirm/app.js"></script></body></html>`;
  }
}

/** Headers of every page response: never framed, no foreign scripts, no caching of tokens. */
export function pageHeaders(res: ServerResponse): void {
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
  res.setHeader("cache-control", "no-store");
}
