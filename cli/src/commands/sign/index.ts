import { defineCommand } from "../../command.js";

export const signCommand = defineCommand({
  command: "sign <files..>",
  describe: "Sign PDF documents (PAdES) with a PKCS#11 token or a PKCS#12 file",
  builder: (y) => y,
  run: async () => 2,
});
