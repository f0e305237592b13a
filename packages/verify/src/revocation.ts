// Revocation fetching and checking live in @kyso/cms (one implementation, shared with the check
// before signing in @kyso/sign); these names stay exported here for verify's own modules and users.
export {
  RevocationCache, fetchRevocationStatus, httpFetcher, revocationStatus,
  type OnlineRevocationOptions, type OnlineRevocationResult, type RevocationFetcher, type RevocationFinding, type RevocationSources,
} from "@kyso/cms";

export type RevocationMode = "embedded" | "online" | "off";
