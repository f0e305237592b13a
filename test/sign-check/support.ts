/**
 * Helpers of the tests of the check before signing (issue 13): the built CLI with a private cache
 * and trust store, a small openssl CA whose revocation servers are a closed port (status unknown
 * because offline), and PKCS#11 call logs through OpenSC's pkcs11-spy.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { nssDb, pkcs11Lib } from "@kyso/certs-test";
import { runCli, tempDir, type CliResult } from "../bulk/helpers.js";

export { tempDir } from "../bulk/helpers.js";
export const SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";

/** The CLI with its own revocation cache and local trust store (unless the test gives them). */
export function kyso(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliResult> {
  return runCli(args, { cwd, env: { XDG_CACHE_HOME: tempDir("sc-cache"), XDG_DATA_HOME: tempDir("sc-data"), ...env } });
}

/** The environment that routes the token through pkcs11-spy, logging every PKCS#11 call to `log`. */
export function spyEnv(log: string): NodeJS.ProcessEnv {
  return { KYSO_PKCS11_LIB: SPY, PKCS11SPY: pkcs11Lib(), PKCS11SPY_OUTPUT: log };
}

/** How often each PKCS#11 function was called, from a pkcs11-spy log. */
export function spyCount(log: string, fn: string): number {
  return (readFileSync(log, "utf8").match(new RegExp(`^\\d+: ${fn}$`, "gm")) ?? []).length;
}

/** pdfsig's view, trusting the test root (nssdb), without OCSP. */
export function pdfsigText(file: string): string {
  const r = spawnSync("pdfsig", ["-no-ocsp", "-nssdir", nssDb, file], { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`;
}

function openssl(args: string[], env?: NodeJS.ProcessEnv): void {
  execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : process.env });
}

/** A TCP port that was free a moment ago and that nothing listens on: connections are refused. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

export interface OfflineCa {
  dir: string;
  /** Root, intermediate, leaf: PEM files. */
  root: string;
  intermediate: string;
  leaf: string;
  /** The leaf's key and certificate with intermediate and root (password `p12Pass`). */
  p12: string;
  /** The leaf's key and certificate alone. */
  p12LeafOnly: string;
  port: number;
}

export const p12Pass = "sign-check";

/**
 * Root -> intermediate -> leaf made by openssl; the leaf's OCSP responder and CRL (RFC 5280
 * §4.2.2.1, §4.2.1.13) and the intermediate's CRL are on a closed port, and the leaf names no
 * caIssuers: its status can never be obtained.
 */
export async function offlineCa(label: string): Promise<OfflineCa> {
  const dir = tempDir(`sc-ca-${label}`);
  mkdirSync(dir, { recursive: true });
  const port = await closedPort();
  const base = `http://127.0.0.1:${port}`;
  const ext = join(dir, "ext.cnf");
  writeFileSync(
    ext,
    [
      "[ ca ]",
      "basicConstraints = critical, CA:true",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always",
      `crlDistributionPoints = URI:${base}/root.crl`,
      "[ leaf ]",
      "basicConstraints = CA:false",
      "keyUsage = critical, digitalSignature, nonRepudiation",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always",
      `authorityInfoAccess = OCSP;URI:${base}/ocsp`,
      `crlDistributionPoints = URI:${base}/intermediate.crl`,
      "",
    ].join("\n"),
  );
  const f = (n: string): string => join(dir, n);
  const key = (n: string): void => openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f(`${n}.key`)]);
  key("root");
  openssl([
    "req", "-x509", "-new", "-utf8", "-key", f("root.key"), "-subj", `/CN=${label} Test Root/O=Kyso tests/C=VN`, "-days", "30",
    "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash", "-out", f("root.pem"),
  ]);
  const issue = (n: string, subject: string, issuer: string, profile: string): void => {
    key(n);
    openssl(["req", "-new", "-utf8", "-key", f(`${n}.key`), "-subj", subject, "-out", f(`${n}.csr`)]);
    openssl(["x509", "-req", "-in", f(`${n}.csr`), "-CA", f(`${issuer}.pem`), "-CAkey", f(`${issuer}.key`), "-set_serial", `0x${Date.now().toString(16)}${n.length}`, "-days", "20", "-extfile", ext, "-extensions", profile, "-out", f(`${n}.pem`)]);
  };
  issue("intermediate", `/CN=${label} Test Intermediate/O=Kyso tests/C=VN`, "root", "ca");
  issue("leaf", `/CN=Ngô Thị ${label}/O=Kyso tests/C=VN`, "intermediate", "leaf");
  writeFileSync(f("chain.pem"), `${readFileSync(f("intermediate.pem"), "utf8")}${readFileSync(f("root.pem"), "utf8")}`);
  const env = { SC_P12_PASS: p12Pass };
  openssl(["pkcs12", "-export", "-inkey", f("leaf.key"), "-in", f("leaf.pem"), "-certfile", f("chain.pem"), "-passout", "env:SC_P12_PASS", "-out", f("leaf.p12")], env);
  openssl(["pkcs12", "-export", "-inkey", f("leaf.key"), "-in", f("leaf.pem"), "-passout", "env:SC_P12_PASS", "-out", f("leaf-only.p12")], env);
  return { dir, root: f("root.pem"), intermediate: f("intermediate.pem"), leaf: f("leaf.pem"), p12: f("leaf.p12"), p12LeafOnly: f("leaf-only.p12"), port };
}
