export { type TrustEntry, type TrustRole, entryFromDer, isSelfSigned, isCaCertificate, sha256Hex, singleCertificate, toPem } from "./entry.js";
export { BUNDLED_PINS, bundledDataDir, bundledTrust } from "./bundled.js";
export { type LocalStoreOptions, localStoreDir, localTrust, addToLocalStore, removeFromLocalStore, defaultRole } from "./local.js";
export { type TrustStoreOptions, loadTrustStore, trustAnchorsAndIntermediates, findByFingerprint } from "./store.js";
export { type TslExportOptions, buildTslXml, exportTsl } from "./tsl-export.js";
export { type TslContents, readTsl, importTsl } from "./tsl-import.js";
export { TSL, KYSO_ROLE_URI } from "./tsl-model.js";
