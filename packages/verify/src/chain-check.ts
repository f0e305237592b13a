// The path with AIA caIssuers completion lives in @kyso/cms (shared with the check before signing).
export { pathWithAia, type PathContext } from "@kyso/cms";
