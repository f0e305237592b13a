// The on-disk revocation cache lives in @kyso/cms (shared with the check before signing).
export { RevocationCache } from "@kyso/cms";
