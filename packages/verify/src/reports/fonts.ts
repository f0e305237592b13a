import { existsSync } from "node:fs";
import { join } from "node:path";
import { KysoError } from "@kyso/core";

/** The three faces the printable report uses. */
export interface ReportFontFiles {
  regular: string;
  bold: string;
  mono: string;
}

/**
 * Folders searched for Liberation Sans and Liberation Mono (SIL OFL; Debian's fonts-liberation2,
 * else the older fonts-liberation): they carry every precomposed Vietnamese letter (U+1EA0-U+1EF9),
 * and Sans is metric-compatible with Arial, which printed reports of agencies commonly use.
 */
export const REPORT_FONT_DIRS = [
  "/usr/share/fonts/truetype/liberation2",
  "/usr/share/fonts/truetype/liberation",
  "/usr/share/fonts/liberation-sans",
  "/usr/share/fonts/liberation",
  "/usr/share/fonts/TTF",
];

const FACES: ReportFontFiles = { regular: "LiberationSans-Regular.ttf", bold: "LiberationSans-Bold.ttf", mono: "LiberationMono-Regular.ttf" };

/**
 * The font files of the report: `dir` if given, else `$KYSO_REPORT_FONT_DIR`, else the first folder of
 * {@link REPORT_FONT_DIRS} holding Liberation Sans. Each face is looked for on its own, so a system
 * whose Mono lives elsewhere still works.
 */
export function findReportFonts(dir?: string, env: NodeJS.ProcessEnv = process.env): ReportFontFiles {
  const dirs = dir ? [dir] : env.KYSO_REPORT_FONT_DIR ? [env.KYSO_REPORT_FONT_DIR] : REPORT_FONT_DIRS;
  const pick = (face: string): string | undefined => dirs.map((d) => join(d, face)).find((p) => existsSync(p));
  const regular = pick(FACES.regular);
  const bold = pick(FACES.bold);
  if (!regular || !bold)
    throw new KysoError(
      "REPORT_FONT_MISSING",
      `No font with Vietnamese letters for the printable report: looked for ${FACES.regular} and ${FACES.bold} in ${dirs.join(", ")}. Install Debian's fonts-liberation2 (scripts/install.sh does) or set KYSO_REPORT_FONT_DIR.`,
    );
  return { regular, bold, mono: pick(FACES.mono) ?? regular };
}
