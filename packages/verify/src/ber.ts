// The tolerant BER reader lives in @kyso/core (shared with the CMS package's BER-to-DER conversion).
export { parseAsn1, octets, oidOf, timeOf, asSet, Asn1Error, type Asn1 } from "@kyso/core";
export { toHex as hex, bytesEqual } from "@kyso/core";
