import type { KysoCommand } from "../command.js";
import { signCommand } from "./sign/index.js";
import { verifyCommand } from "./verify/index.js";
import { serveCommand } from "./serve/index.js";
import { unitsCommand } from "./units/index.js";
import { certsCommand } from "./certs/index.js";
import { tokensCommand } from "./tokens/index.js";
import { tokenCommand } from "./token/index.js";
import { extendCommand } from "./extend/index.js";

/** Every top-level command of `kyso`. Each lives in its own folder under commands/. */
export const commands: KysoCommand[] = [signCommand, verifyCommand, serveCommand, unitsCommand, certsCommand, tokensCommand, tokenCommand, extendCommand];
