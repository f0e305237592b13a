import { mkdirSync } from "node:fs";
import { nssDb, nssSignerDb, p12Password, pki } from "./layout.js";
import { run } from "./run.js";

/** Nickname of the root in the trust database. */
export const rootNick = "Kyso Test Root CA";
/** Nickname of officer-rsa's key and certificate in the signer database. */
export const signerNick = "officer-rsa";

function newDb(dir: string): void {
  mkdirSync(dir, { recursive: true });
  run("certutil", ["-N", "-d", `sql:${dir}`, "--empty-password"]);
}

/** `nssdb/`: an NSS database (empty password) trusting the test root, for `pdfsig -nssdir`. */
export function createTrustDb(): void {
  newDb(nssDb);
  run("certutil", ["-A", "-d", `sql:${nssDb}`, "-n", rootNick, "-t", "CT,C,C", "-i", pki.root]);
}

/** `nss-signer/`: officer-rsa's PKCS#12 imported, so that poppler can sign with it. */
export function createSignerDb(): void {
  newDb(nssSignerDb);
  run("pk12util", ["-i", pki.officerRsa.p12, "-d", `sql:${nssSignerDb}`, "-W", p12Password, "-K", ""]);
  const nicks = run("certutil", ["-L", "-d", `sql:${nssSignerDb}`]);
  if (!nicks.includes(signerNick)) throw new Error(`officer-rsa not found in ${nssSignerDb}:\n${nicks}`);
}
