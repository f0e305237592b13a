import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";
import { randomBytes } from "node:crypto";
import { KysoError } from "@kyso/core";
import type { OriginPolicy } from "./origins.js";

/**
 * Downloads and uploads for a calling page, inside its hosts only (OriginPolicy), with a size and a
 * time limit. Redirects are followed only to a URL the policy allows for the same origin (at most 3),
 * so a document server cannot send the agent elsewhere.
 */
export interface TransferOptions {
  policy: OriginPolicy;
  origin: string;
  maxBytes: number;
  timeoutMs: number;
  /** Sent as `Authorization: Bearer …` (the compatible contract's JWTToken). Never logged. */
  bearer?: string;
  /** Extra CA certificates (PEM) for https document servers (e.g. a province's own CA). */
  ca?: readonly (string | Buffer)[];
  /** Kept-alive connection pools (the agent's, shared by its requests); absent: a connection per exchange. */
  connections?: Connections;
}

/** The agent's connection pools: keep-alive, a few sockets per host, the extra CAs in the https one. */
export class Connections {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(ca?: readonly (string | Buffer)[], maxSockets = 8) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets, ...(ca?.length ? { ca: [...rootCertificates, ...ca] } : {}) });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

interface Response {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/**
 * One exchange; on a kept-alive socket the server closed meanwhile (ECONNRESET/EPIPE before any
 * answer) it is made once more on a new connection, as Node's documentation advises (`reusedSocket`).
 */
async function exchange(url: URL, method: "GET" | "POST", o: TransferOptions, what: "download" | "upload", body?: { type: string; data: Buffer }): Promise<Response> {
  try {
    return await exchangeOnce(url, method, o, what, body);
  } catch (e) {
    if (e instanceof StaleSocket) return exchangeOnce(url, method, o, what, body);
    throw e;
  }
}

class StaleSocket extends Error {}

function exchangeOnce(url: URL, method: "GET" | "POST", o: TransferOptions, what: "download" | "upload", body?: { type: string; data: Buffer }): Promise<Response> {
  const code = what === "download" ? "AGENT_DOWNLOAD" : "AGENT_UPLOAD";
  const headers: Record<string, string> = { "user-agent": "kyso-agent", accept: "*/*" };
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  if (body) {
    headers["content-type"] = body.type;
    headers["content-length"] = String(body.data.length);
  }
  const https = url.protocol === "https:";
  const request = https ? httpsRequest : httpRequest;
  // The pool's https agent holds the extra CAs; without a pool they go with the request.
  const transport = o.connections ? { agent: https ? o.connections.https : o.connections.http } : https && o.ca?.length ? { ca: [...rootCertificates, ...o.ca] } : {};
  return new Promise((resolve, reject) => {
    let answered = false;
    const req: ClientRequest = request(
      url,
      { method, headers, timeout: o.timeoutMs, ...transport },
      (res) => {
        answered = true;
        const declared = Number(res.headers["content-length"] ?? NaN);
        if (Number.isFinite(declared) && declared > o.maxBytes) {
          res.destroy();
          return reject(new KysoError(`${code}_TOO_LARGE`, `The ${what} answer from ${url.host} is ${declared} bytes, more than the limit of ${o.maxBytes}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > o.maxBytes) {
            res.destroy();
            reject(new KysoError(`${code}_TOO_LARGE`, `The ${what} answer from ${url.host} is more than the limit of ${o.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(new KysoError(`${code}_FAILED`, `The ${what} from ${url.host} failed: ${e.message}`, { cause: e })));
      },
    );
    // A deadline for the whole exchange, not only for an idle socket.
    const deadline = setTimeout(() => req.destroy(new KysoError(`${code}_TIMEOUT`, `The ${what} from ${url.host} took longer than ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on("timeout", () => req.destroy(new KysoError(`${code}_TIMEOUT`, `The ${what} from ${url.host} took longer than ${o.timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (!answered && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) return reject(new StaleSocket(e.message));
      reject(e instanceof KysoError ? e : new KysoError(`${code}_FAILED`, `The ${what} from ${url.host} failed: ${e.message}`, { cause: e }));
    });
    req.on("close", () => clearTimeout(deadline));
    req.end(body?.data);
  });
}

/** GETs a document; follows up to 3 redirects, each re-checked against the policy. */
export async function download(text: string, o: TransferOptions): Promise<{ bytes: Uint8Array; name: string; url: URL }> {
  let url = o.policy.checkUrl(o.origin, text, "download");
  for (let hops = 0; ; hops++) {
    const res = await exchange(url, "GET", o, "download");
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      if (hops >= 3) throw new KysoError("AGENT_DOWNLOAD_REDIRECTS", `Too many redirects downloading from ${url.host}`);
      const next = new URL(res.headers.location, url).toString();
      try {
        url = o.policy.checkUrl(o.origin, next, "download");
      } catch (e) {
        throw new KysoError("AGENT_URL_REDIRECT", `The document server redirected to ${new URL(next).host}, which is not the calling site's`, { cause: e });
      }
      continue;
    }
    if (res.status !== 200) throw new KysoError("AGENT_DOWNLOAD_HTTP", `Downloading ${url.pathname} from ${url.host} failed: HTTP ${res.status}`);
    const bytes = new Uint8Array(res.body);
    if (Buffer.from(bytes.subarray(0, 1024)).indexOf("%PDF-") < 0) throw new KysoError("AGENT_NOT_PDF", `The document downloaded from ${url.host}${url.pathname} is not a PDF`);
    return { bytes, url, name: nameOf(url, res.headers["content-disposition"]) };
  }
}

/** The file name from Content-Disposition (RFC 6266), else the URL's last path segment. */
function nameOf(url: URL, disposition: string | undefined): string {
  const star = disposition && /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* fall through */
    }
  }
  const plain = disposition && /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  if (plain) return plain[1];
  const last = url.pathname.split("/").filter(Boolean).pop() ?? "document.pdf";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export interface UploadResult {
  status: number;
  /** What the handler answered: its JSON (FileServer, FileName, …) or its text. */
  answer: unknown;
}

/** POSTs the signed document as multipart/form-data field `uploadfile` (the compatible contract). */
export async function upload(text: string, fileName: string, bytes: Uint8Array, o: TransferOptions, fields: Record<string, string> = {}): Promise<UploadResult> {
  const url = o.policy.checkUrl(o.origin, text, "upload");
  const boundary = `----kyso${randomBytes(12).toString("hex")}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename="${quote(fileName)}"\r\nContent-Type: application/pdf\r\n\r\n`));
  parts.push(Buffer.from(bytes));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const res = await exchange(url, "POST", o, "upload", { type: `multipart/form-data; boundary=${boundary}`, data: Buffer.concat(parts) });
  if (res.status < 200 || res.status >= 300) throw new KysoError("AGENT_UPLOAD_HTTP", `Posting the signed document to ${url.host}${url.pathname} failed: HTTP ${res.status}`);
  const textBody = res.body.toString("utf8");
  let answer: unknown = textBody.slice(0, 2000);
  try {
    answer = JSON.parse(textBody);
  } catch {
    /* a text answer */
  }
  return { status: res.status, answer };
}

/** A header parameter value: quotes and line breaks removed (RFC 7578 §4.2). */
function quote(s: string): string {
  return s.replace(/["\r\n]/g, "_");
}
