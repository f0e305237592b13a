// Helpers shared by the agent's process-level tests: the demo site's JWT as its page carries it, and
// one call from that page (a WebSocket with the site's Origin, one message, one answer).
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import WebSocket from "ws";
import type { RunningDocsys } from "@kyso/certs-test";

/** The JWT in the demo site's page (its config block), fetched as the browser would; `ca` for an HTTPS site on the test PKI. */
export function siteJwt(site: RunningDocsys, ca?: string | Buffer): Promise<string> {
  const get = site.url.startsWith("https:") ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(`${site.url}/`, ca ? { ca } : {}, (res) => {
      let html = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (html += c));
      res.on("end", () => {
        const config = /<script type="application\/json" id="config">([\s\S]*?)<\/script>/.exec(html);
        const jwt = config ? (JSON.parse(config[1]) as { jwt?: string }).jwt : undefined;
        if (jwt) resolve(jwt);
        else reject(new Error("no JWT in the demo site's page"));
      });
    }).on("error", reject);
  });
}

/** One call from the site's page to the agent at `agentUrl` (ws:// or wss://). */
export function callAgent(agentUrl: string, origin: string, message: unknown): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(agentUrl, { origin });
    ws.once("open", () => ws.send(JSON.stringify(message)));
    ws.once("message", (data) => {
      ws.close();
      resolve(JSON.parse(data.toString()) as Record<string, any>);
    });
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}
