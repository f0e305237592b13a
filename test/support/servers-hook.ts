// A mocha root hook: the test PKI's OCSP responder, CRLs, caIssuers and TSA stay up for the whole
// run on the port the certificates name, because verification checks revocation online by default.
// Tests that need their own clock or failure modes lease the same server (startTestServers()).
import { startTestServers, type TestServers } from "@kyso/certs-test";

let servers: TestServers | undefined;

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    servers = await startTestServers();
  },
  async afterAll(): Promise<void> {
    await servers?.close();
  },
};
