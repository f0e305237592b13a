/**
 * A CMS that embeds only the signer's certificate, whose issuer is reachable only through the
 * certificate's AIA caIssuers URL (RFC 5280 §4.2.2.1), as Government CA signatures are. The test
 * PKI's leaves name a fixed port (certs-test serverPort), and tests listen on port 0, so the CA here
 * is a small openssl CA made in the test and its intermediate is served by a tiny node:http server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSigned, opensslSign, type Fixture } from "./fixtures.js";
import { issue, smallCa, type Issued, type SmallCa } from "./openssl.js";

export interface FileServer {
  /** e.g. http://127.0.0.1:PORT (a free port) */
  base: string;
  /** Requests answered so far. */
  hits: number;
  serve(path: string, body: Uint8Array, contentType: string): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1, port 0, answering the registered paths (404 otherwise). */
export async function fileServer(): Promise<FileServer> {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  const server: Server = createServer((req, res) => {
    const f = files.get(new URL(req.url ?? "/", "http://x").pathname);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    out.hits++;
    res.writeHead(200, { "content-type": f.type, "content-length": f.body.length }).end(Buffer.from(f.body));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  const out: FileServer = {
    base: `http://127.0.0.1:${port}`,
    hits: 0,
    serve: (path, body, type) => void files.set(path, { body, type }),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  return out;
}

/** A loopback URL where nothing listens: a port 0 server's port, closed again. */
export async function deadUrl(path: string): Promise<string> {
  const s = await fileServer();
  await s.close();
  return `${s.base}${path}`;
}

export interface AiaCase {
  fixture: Fixture;
  ca: SmallCa;
  leaf: Issued;
}

/**
 * `name`.pdf signed by openssl with only the leaf embedded (openssl's default without -certfile);
 * the leaf's AIA caIssuers is `aiaUrl`. Root -> intermediate -> leaf: a path of 3.
 */
export async function leafOnlyAia(dir: string, name: string, aiaUrl: string): Promise<AiaCase> {
  const ca = smallCa(dir, name);
  const leaf = issue(dir, `${name}-leaf`, `/CN=Trần Thị AIA/O=${name}/C=VN`, "rsa", ca.intermediate, "leaf", aiaUrl);
  const fixture = await buildSigned(dir, name, (r) => opensslSign(r, leaf, ["-md", "sha256"]), { caFile: ca.root.cert, extraCerts: ca.intermediate.cert });
  return { fixture, ca, leaf };
}
