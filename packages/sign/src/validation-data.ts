import { KysoError, type Clock } from "@kyso/core";
import type { NetworkOptions } from "./network.js";
import type { TimeStamper } from "./timestamper.js";

export interface ValidationDataInput {
  input: string;
  inputLength: number;
  tail: Uint8Array[];
  signatures: { cms: Uint8Array; requireGoodAtSigning: boolean }[];
  archiveTimestamp?: TimeStamper;
  network?: NetworkOptions;
  clock?: Clock;
  trustAnchors?: readonly Uint8Array[];
}

export async function appendValidationData(_input: ValidationDataInput): Promise<Uint8Array[]> {
  throw new KysoError("NOT_IMPLEMENTED", "B-LT is not implemented yet");
}
