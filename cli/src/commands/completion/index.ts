import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";
import { t } from "../../messages/index.js";

interface CompletionArgs {
  shell: "bash" | "zsh";
}

export const completionCommand = defineCommand<CompletionArgs>({
  command: "completion <shell>",
  describe: "completion.describe",
  builder: (y) =>
    y
      .positional("shell", { choices: ["bash", "zsh"] as const, describe: t("completion.opt.shell") })
      .example(t("completion.example.1.cmd"), t("completion.example.1.text"))
      .example(t("completion.example.2.cmd"), t("completion.example.2.text"))
      .example(t("completion.example.3.cmd"), t("completion.example.3.text")) as never,
  run: async (args, io) => {
    const [{ allCompletionSpecs }, { bashScript, zshScript }, { kysoVersion }] = await Promise.all([
      import("./spec.js"),
      import("./scripts.js"),
      import("../version/index.js"),
    ]);
    const specs = await allCompletionSpecs();
    if (args.shell === "bash") io.stdout.write(bashScript(specs, kysoVersion()));
    else if (args.shell === "zsh") io.stdout.write(zshScript(specs, kysoVersion()));
    else throw new KysoError("USAGE", t("completion.err.shell", { shell: String(args.shell) }));
    return 0;
  },
});
