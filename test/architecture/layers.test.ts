// The one-way dependency rule of ../shared/ARCHITECTURE.md, checked on every import in packages/.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { repoRoot } from "../support/cli.js";

/** What each library may import from the workspace (dependencies point down only). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  pdf: ["core"],
  cms: ["core"],
  signers: ["core"],
  appearance: ["core", "pdf"],
  sign: ["core", "pdf", "cms", "signers", "appearance"],
  verify: ["core", "pdf", "cms"],
  db: ["core"],
  registry: ["core", "cms", "db"],
  inbox: ["core", "db"],
  accounts: ["core", "db"],
  audit: ["core", "db"],
  edxml: ["core", "cms"],
  trust: ["core"],
  agent: ["core", "pdf", "cms", "signers", "appearance", "sign", "verify"],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

describe("architecture: dependencies point down only", function () {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`packages/${pkg} imports only ${allowed.length ? allowed.join(", ") : "nothing"} from the workspace`, function () {
      const src = join(repoRoot, "packages", pkg, "src");
      const offending: string[] = [];
      for (const file of sources(src)) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](@kyso\/[a-z-]+|(?:\.\.\/){2,}[^"']*)["']/g)) {
          const spec = m[1];
          if (!spec.startsWith("@kyso/") && resolve(dirname(file), spec).startsWith(join(repoRoot, "packages", pkg))) continue;
          const target = spec.startsWith("@kyso/") ? spec.slice(6) : `a path outside the package (${spec})`;
          if (!allowed.includes(target)) offending.push(`${file.slice(repoRoot.length + 1)} imports ${spec}`);
        }
      }
      assert.deepEqual(offending, []);
    });
  }
});

/** Every source file under packages/ (not tests, not build output). */
function packageSources(): string[] {
  return readdirSync(join(repoRoot, "packages")).flatMap((p) => {
    const src = join(repoRoot, "packages", p, "src");
    try {
      return sources(src);
    } catch {
      return [];
    }
  });
}

describe("architecture: one validation engine (issue 11)", function () {
  // The parsers and the path builder live in packages/cms, once each: a second copy elsewhere is
  // how verdicts drifted apart before (two engines with different trust rules).
  const ONE: [string, RegExp][] = [
    ["SignedData reading", /function\s+(parseSignedData|readSignedData\w*)\s*\(/],
    ["CRL parsing", /function\s+parseCrl\s*\(/],
    ["OCSP parsing", /function\s+(parseOcspResponse|checkOcsp)\s*\(/],
    ["TSTInfo parsing", /function\s+parseTstInfo\s*\(/],
    ["path building", /function\s+(buildPath|buildChainFrom|chainToAnchor)\s*\(/],
  ];
  for (const [what, re] of ONE) {
    it(`${what} is implemented only in packages/cms`, function () {
      const outside = packageSources().filter((f) => !f.includes(`${join("packages", "cms", "src")}`) && re.test(readFileSync(f, "utf8")));
      assert.deepEqual(outside.map((f) => f.slice(repoRoot.length + 1)), []);
    });
  }
  it("no packages/verify source file is over 400 lines", function () {
    const long = sources(join(repoRoot, "packages", "verify", "src"))
      .map((f) => [f.slice(repoRoot.length + 1), readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 400);
    assert.deepEqual(long, []);
  });
});
