/**
 * Paths and constants of the generated test PKI, SoftHSM2 demo token and sample documents.
 * Importing this module never generates anything: run `pnpm certs` for that.
 * Everything here is test material only: the keys and PINs are public.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type * as GrapheneModule from "graphene-pk11";
import { readyFile } from "./layout.js";

export {
  outDir,
  pki,
  p12Password,
  token,
  nssDb,
  nssSignerDb,
  softhsmConf,
  samples,
  serverPort,
  serverBase,
  leafNames,
  emptyFieldName,
  presignedFieldName,
  encryptedPasswords,
  envFile,
} from "./layout.js";
export type { LeafName, LeafFiles, TokenKeyName } from "./layout.js";

export { pkcs11Lib } from "./softhsm-lib.js";

/** True when a complete generation has finished (`out/READY` exists). */
export function ready(): boolean {
  return existsSync(readyFile);
}

/** graphene-pk11's types, for tests that inspect the demo token (see {@link loadGraphene}). */
export type * as Graphene from "graphene-pk11";

/**
 * graphene-pk11 as this package resolves it, so that a test can inspect the demo token without
 * depending on graphene itself. Loaded on call, never at import. Whoever initializes the module
 * must finalize it, with `{ flags: 2 }` (CKF_OS_LOCKING_OK) as SoftHSM needs.
 */
export function loadGraphene(): typeof GrapheneModule {
  return createRequire(import.meta.url)("graphene-pk11") as typeof GrapheneModule;
}

export { startTestServers } from "./servers.js";
export type { TestServers, TestServersOptions } from "./servers.js";

export { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_OTP, CSC_PIN, CSC_USERS, CSC_USER_PASSWORD } from "./csc/credentials.js";
export type { CscConfig, CscServer, CscServerOptions, CscStats, FailNext } from "./csc/server.js";

/**
 * Starts the CSC API v2.0 test server (README, "CSC test server"). Loaded on call, so that
 * importing this package loads neither express nor graphene.
 */
export async function startCscServer(options: import("./csc/server.js").CscServerOptions = {}): Promise<import("./csc/server.js").CscServer> {
  const { startCscServer: start } = await import("./csc/server.js");
  return start(options);
}

export type { DocsysDocument, DocsysOptions, DocsysUpload, RunningDocsys } from "./docsys/server.js";
export { docsysTls, docsysTlsDir } from "./docsys/tls.js";

/**
 * Starts the demo document system (README, "Demo document system"): HTTPS on 127.0.0.1 with a
 * certificate from the test intermediate. Loaded on call, like the CSC server.
 */
export async function startDocsys(options: import("./docsys/server.js").DocsysOptions = {}): Promise<import("./docsys/server.js").RunningDocsys> {
  const { startDocsys: start } = await import("./docsys/server.js");
  return start(options);
}

/** The demo document system's sample list (one-page, a provincial decision, an already signed document). */
export async function defaultDocsysDocuments(): Promise<import("./docsys/server.js").DocsysDocument[]> {
  return (await import("./docsys/server.js")).defaultDocuments();
}

export type { SpawnedAgent, SpawnAgentOptions } from "./agent-driver.js";
/** The real `kyso agent` as a child process, its confirmation page answered over HTTP (agent-driver.ts). */
export async function spawnAgent(options: import("./agent-driver.js").SpawnAgentOptions): Promise<import("./agent-driver.js").SpawnedAgent> {
  return (await import("./agent-driver.js")).spawnAgent(options);
}
