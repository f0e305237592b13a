import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { KysoError } from "@kyso/core";

/**
 * The origins the officer has approved once (pairing). A JSON file:
 * `{ "version": 1, "origins": { "https://vanban.example.gov.vn": { "pairedAt": "2025-…Z" } } }`,
 * written atomically (temp + rename), readable only by its owner.
 */
export interface PairingFile {
  version: 1;
  origins: Record<string, { pairedAt: string }>;
}

export class PairingStore {
  private constructor(
    readonly path: string,
    private data: PairingFile,
  ) {}

  static async open(path: string): Promise<PairingStore> {
    let data: PairingFile = { version: 1, origins: {} };
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as PairingFile;
      if (parsed && typeof parsed.origins === "object" && parsed.origins) data = { version: 1, origins: parsed.origins };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        throw new KysoError("AGENT_PAIRING_STORE", `Cannot read the pairing store ${path}: ${(e as Error).message}`, { cause: e });
    }
    return new PairingStore(path, data);
  }

  has(origin: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.data.origins, origin);
  }

  origins(): string[] {
    return Object.keys(this.data.origins);
  }

  async add(origin: string, at = new Date()): Promise<void> {
    this.data.origins[origin] = { pairedAt: at.toISOString() };
    await writePairingFile(this.path, this.data);
  }
}

async function writePairingFile(path: string, data: PairingFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** Pairs origins without asking (administrators' set-up, tests). */
export async function preparePairing(path: string, origins: readonly string[]): Promise<void> {
  const store = await PairingStore.open(path);
  for (const o of origins) if (!store.has(o)) await store.add(o);
}
