import { readFileSync } from "node:fs";
import { defineCommand } from "../../command.js";
import { t } from "../../messages/index.js";

/** Kyso's version, from the CLI package's own package.json. */
export function kysoVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export const versionCommand = defineCommand({
  command: "version",
  describe: "version.describe",
  builder: (y) => y.option("json", { type: "boolean", default: false, describe: t("version.opt.json") }),
  run: async (args, io) => {
    const info = {
      kyso: kysoVersion(),
      node: process.versions.node,
      openssl: process.versions.openssl,
      pkcs11Module: io.env.KYSO_PKCS11_LIB ?? null,
      platform: `${process.platform}-${process.arch}`,
    };
    if (args.json) io.stdout.write(JSON.stringify(info, null, 2) + "\n");
    else io.stdout.write(`kyso ${info.kyso}\nNode.js ${info.node} (OpenSSL ${info.openssl}), ${info.platform}\nPKCS#11 module: ${info.pkcs11Module ?? "(not set: KYSO_PKCS11_LIB)"}\n`);
    return 0;
  },
});
