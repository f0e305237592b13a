import type { KysoCommand } from "../command.js";
import { signCommand } from "./sign/index.js";

/** Every top-level command of `kyso`. Each lives in its own folder under commands/. */
export const commands: KysoCommand[] = [signCommand];
