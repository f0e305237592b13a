import { PdfStream } from "@kyso/pdf";
import type { DssMaterial, PipelineContext } from "./context.js";

/** Certificates, CRLs and OCSP responses of the Document Security Store (EN 319 142-1 §5.4.2), read once per file. */
export function dssMaterial(ctx: PipelineContext): DssMaterial {
  if (ctx.dss) return ctx.dss;
  const m: DssMaterial = { certs: [], crls: [], ocsps: [] };
  try {
    const dss = ctx.reader.dict(ctx.reader.catalog().get("DSS"));
    const streams = (k: string): Uint8Array[] =>
      (ctx.reader.array(dss?.get(k))?.items ?? []).slice(0, 1000).flatMap((x) => {
        const v = ctx.reader.resolve(x);
        try {
          return v instanceof PdfStream ? [ctx.reader.streamData(v)] : [];
        } catch {
          return [];
        }
      });
    m.certs = ctx.pool.certificates(streams("Certs"));
    m.crls = streams("CRLs");
    m.ocsps = streams("OCSPs");
  } catch {
    /* no DSS */
  }
  ctx.dss = m;
  return m;
}
