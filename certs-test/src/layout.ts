import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";

/**
 * The layout of `certs-test/out/`. Other packages' tests rely on these exact paths: add entries,
 * never rename them.
 */

/** `certs-test/out/` (absolute). Works from `src/` (tsx) and from `dist/` alike. */
export const outDir: string = fileURLToPath(new URL("../out/", import.meta.url)).replace(/\/$/, "");

export const pkiDir = join(outDir, "pki");
export const caDir = join(pkiDir, "ca");
export const samplesDir = join(outDir, "samples");
export const nssDb = join(outDir, "nssdb");
export const nssSignerDb = join(outDir, "nss-signer");
export const softhsmDir = join(outDir, "softhsm");
export const softhsmConf = join(softhsmDir, "softhsm2.conf");
export const softhsmTokenDir = join(softhsmDir, "tokens");
export const envFile = join(outDir, "env.sh");
export const readyFile = join(outDir, "READY");
export const allCertsFile = join(pkiDir, "all-certs.json");

/**
 * Port of the local test server (OCSP, CRL, caIssuers) named in the certificates' URLs: chosen at
 * random when the PKI is generated and kept in `out/server-port`, so that two clones on one machine
 * do not collide. KYSO_TEST_SERVER_PORT overrides it for a generation.
 */
export const serverPortFile = join(outDir, "server-port");
function chosenPort(): number {
  const fromEnv = Number(process.env.KYSO_TEST_SERVER_PORT);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  try {
    const n = Number(readFileSync(serverPortFile, "utf8").trim());
    if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  } catch {
    /* not generated yet */
  }
  return 20000 + Math.floor(Math.random() * 30000);
}
export const serverPort = chosenPort();
export const serverBase = `http://127.0.0.1:${serverPort}`;

/** Password of every `pki/NAME.p12`. Test material only. */
export const p12Password = "kyso-test";

/** File names (without extension) of the leaf certificates, keyed by camelCase name. */
export const leafNames = {
  officerRsa: "officer-rsa",
  officerEc: "officer-ec",
  officerEc384: "officer-ec384",
  orgSeal: "org-seal",
  revoked: "revoked",
  expired: "expired",
  ocsp: "ocsp",
  tsa: "tsa",
  onboard: "onboard",
} as const;

export type LeafName = keyof typeof leafNames;

export interface LeafFiles {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, unencrypted PKCS#8 PEM (does not exist for `onboard`: its key lives on the token). */
  key: string;
  /** PKCS#12 with key, certificate and chain, password {@link p12Password} (not for `onboard`). */
  p12: string;
  /** Intermediate then root, PEM. */
  chain: string;
}

function leafFiles(file: string): LeafFiles {
  return {
    cert: join(pkiDir, `${file}.pem`),
    key: join(pkiDir, `${file}.key.pem`),
    p12: join(pkiDir, `${file}.p12`),
    chain: join(pkiDir, `${file}.chain.pem`),
  };
}

export const pki = {
  dir: pkiDir,
  root: join(pkiDir, "root.pem"),
  rootKey: join(pkiDir, "root.key.pem"),
  intermediate: join(pkiDir, "intermediate.pem"),
  intermediateKey: join(pkiDir, "intermediate.key.pem"),
  /** DER. The PEM form is beside it as `intermediate.crl.pem`. */
  intermediateCrl: join(pkiDir, "intermediate.crl"),
  intermediateCrlPem: join(pkiDir, "intermediate.crl.pem"),
  /** DER. The PEM form is beside it as `root.crl.pem`. */
  rootCrl: join(pkiDir, "root.crl"),
  rootCrlPem: join(pkiDir, "root.crl.pem"),
  allCerts: allCertsFile,
  officerRsa: leafFiles(leafNames.officerRsa),
  officerEc: leafFiles(leafNames.officerEc),
  officerEc384: leafFiles(leafNames.officerEc384),
  orgSeal: leafFiles(leafNames.orgSeal),
  revoked: leafFiles(leafNames.revoked),
  expired: leafFiles(leafNames.expired),
  ocsp: leafFiles(leafNames.ocsp),
  tsa: leafFiles(leafNames.tsa),
  onboard: leafFiles(leafNames.onboard),
} as const;

/** The SoftHSM2 demo token. Test PINs only. */
export const token = {
  label: "KYSO-DEMO",
  spareLabel: "KYSO-SPARE",
  userPin: "123456",
  soPin: "12345678",
  keys: {
    officerRsa: { label: "officer-rsa", id: "01" },
    officerEc: { label: "officer-ec", id: "02" },
    orgSeal: { label: "org-seal", id: "03" },
    onboard: { label: "onboard", id: "04" },
    revoked: { label: "revoked", id: "05" },
    expired: { label: "expired", id: "06" },
  },
} as const;

export type TokenKeyName = keyof typeof token.keys;

export const samples = {
  dir: samplesDir,
  onePage: join(samplesDir, "one-page.pdf"),
  hundredPages: join(samplesDir, "hundred-pages.pdf"),
  large20mb: join(samplesDir, "large-20mb.pdf"),
  objstm: join(samplesDir, "objstm.pdf"),
  vietnamese: join(samplesDir, "vietnamese.pdf"),
  presignedPdfsig: join(samplesDir, "presigned-pdfsig.pdf"),
  emptyField: join(samplesDir, "empty-field.pdf"),
  corrupt: join(samplesDir, "corrupt.pdf"),
  encrypted: join(samplesDir, "encrypted.pdf"),
  notAPdf: join(samplesDir, "not-a-pdf.pdf"),
  empty: join(samplesDir, "empty.pdf"),
} as const;

/** Name of the empty signature field in `samples/empty-field.pdf`. */
export const emptyFieldName = "ChuKyLanhDao";
/** Name of the signature field poppler adds in `samples/presigned-pdfsig.pdf`. */
export const presignedFieldName = "PopplerSignature";
/** Passwords of `samples/encrypted.pdf`. */
export const encryptedPasswords = { user: "secret-user", owner: "secret-owner" } as const;

