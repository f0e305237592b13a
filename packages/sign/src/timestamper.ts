import { randomBytes } from "node:crypto";
import { KysoError, describeError, digest, type DigestAlgorithm } from "@kyso/core";
import { buildTimeStampRequest, checkTimeStampToken, parseTimeStampResponse, type TimeStampCheck } from "@kyso/cms";
import { httpExchange, type NetworkOptions } from "./network.js";

export interface TimeStampResult {
  /** The TimeStampToken (CMS ContentInfo), checked. */
  token: Uint8Array;
  /** The TSA that gave it. */
  url: string;
  check: TimeStampCheck;
}

/**
 * Asks RFC 3161 time-stamp authorities for tokens, trying each URL in order (the later ones are
 * fallbacks), and checks every token before handing it out: imprint, nonce, the TSA's signature
 * and its timeStamping certificate. Error codes: TSA_UNREACHABLE, TSA_TIMEOUT, TSA_HTTP_ERROR,
 * TSA_GARBAGE, TSA_REJECTED, TSA_BAD_TOKEN.
 */
export class TimeStamper {
  private reserve: number | undefined;
  /** The token of the dry run, once made: its TSA certificate and chain are those of later tokens. */
  lastToken: Uint8Array | undefined;
  /**
   * Checks a TSA's certificate (and the chain the token carries) before its first token is used;
   * throwing refuses the token (issue 13: the TSA's certificate is checked as the signer's is).
   * Called once per TSA certificate.
   */
  certificateCheck: ((certificate: Uint8Array, chain: readonly Uint8Array[]) => Promise<void>) | undefined;
  private readonly checked = new Map<string, Promise<void>>();

  constructor(
    readonly urls: readonly string[],
    readonly network: NetworkOptions = {},
    readonly digestAlgorithm: DigestAlgorithm = "SHA-256",
  ) {
    if (urls.length === 0) throw new KysoError("USAGE", "No time-stamp server given: use --tsa URL (or $KYSO_TSA_URL)");
  }

  /** A checked token over `imprint` (a hash made with this stamper's digest algorithm). */
  async stamp(imprint: Uint8Array): Promise<TimeStampResult> {
    const failures: KysoError[] = [];
    for (const url of this.urls) {
      try {
        return await this.stampAt(url, imprint);
      } catch (e) {
        if (!(e instanceof KysoError)) throw e;
        failures.push(e);
      }
    }
    if (failures.length === 1) throw failures[0];
    const last = failures[failures.length - 1];
    throw new KysoError(last.code, `No time-stamp server gave a usable token: ${failures.map((f) => describeError(f)).join("; ")}`, { cause: last });
  }

  /** A token over the hash of `data`. */
  async stampData(data: Uint8Array): Promise<TimeStampResult> {
    return this.stamp(digest(this.digestAlgorithm, data));
  }

  private async stampAt(url: string, imprint: Uint8Array): Promise<TimeStampResult> {
    const nonce = randomBytes(8);
    nonce[0] &= 0x7f;
    if (nonce[0] === 0) nonce[0] = 1;
    const request = buildTimeStampRequest({ digestAlgorithm: this.digestAlgorithm, imprint, nonce, certReq: true });
    const body = await httpExchange("TSA", url, { method: "POST", body: request, contentType: "application/timestamp-query", accept: "application/timestamp-reply" }, this.network);
    let response;
    try {
      response = parseTimeStampResponse(body);
    } catch (e) {
      throw new KysoError("TSA_GARBAGE", `Time-stamp server ${url} did not answer with a time-stamp response (${body.length} bytes that are not RFC 3161)`, { cause: e });
    }
    if ((response.status !== 0 && response.status !== 1) || !response.token)
      throw new KysoError("TSA_REJECTED", `Time-stamp server ${url} refused the request (status ${response.status}${response.statusText.length ? `: ${response.statusText.join(" ")}` : ""})`);
    let check: TimeStampCheck;
    try {
      check = checkTimeStampToken(response.token, { imprint, nonce });
    } catch (e) {
      throw new KysoError("TSA_GARBAGE", `Time-stamp server ${url} sent a token that cannot be read`, { cause: e });
    }
    if (check.problems.length > 0)
      throw new KysoError("TSA_BAD_TOKEN", `Time-stamp server ${url} sent an unusable token: ${check.problems.map((p) => p.message).join("; ")}`, {
        details: { problems: check.problems.map((p) => p.code) },
      });
    if (this.certificateCheck && check.tsaCertificate) {
      const key = Buffer.from(digest("SHA-256", check.tsaCertificate)).toString("hex");
      let done = this.checked.get(key);
      if (!done) this.checked.set(key, (done = this.certificateCheck(check.tsaCertificate, check.tsaChain)));
      await done;
    }
    return { token: response.token, url, check };
  }

  /**
   * The room a token needs, measured by a dry run (one request for a dummy imprint) plus a margin
   * for a longer serial, nonce or time; measured once per stamper.
   */
  async tokenReserve(): Promise<number> {
    if (this.reserve === undefined) {
      const r = await this.stamp(digest(this.digestAlgorithm, new Uint8Array(randomBytes(16))));
      // The attribute wrapper (about 20 bytes) and room for growth: tokens differ by a few bytes.
      this.reserve = r.token.length + 1024;
      this.lastToken = r.token;
    }
    return this.reserve;
  }
}
