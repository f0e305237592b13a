import { KysoError } from "@kyso/core";
import { defineCommand } from "../../command.js";

interface CompletionArgs {
  shell: "bash" | "zsh";
}

export const completionCommand = defineCommand<CompletionArgs>({
  command: "completion <shell>",
  describe: "Print a shell completion script (bash or zsh) for kyso's commands and flags",
  builder: (y) =>
    y
      .positional("shell", { choices: ["bash", "zsh"] as const, describe: "The shell" })
      .example("source <(kyso completion bash)", "completion in this bash; add the line to ~/.bashrc to keep it")
      .example("kyso completion bash > ~/.local/share/bash-completion/completions/kyso", "installed for bash-completion")
      .example("source <(kyso completion zsh)", "in ~/.zshrc") as never,
  run: async (args, io) => {
    const [{ allCompletionSpecs }, { bashScript, zshScript }, { kysoVersion }] = await Promise.all([
      import("./spec.js"),
      import("./scripts.js"),
      import("../version/index.js"),
    ]);
    const specs = await allCompletionSpecs();
    if (args.shell === "bash") io.stdout.write(bashScript(specs, kysoVersion()));
    else if (args.shell === "zsh") io.stdout.write(zshScript(specs, kysoVersion()));
    else throw new KysoError("USAGE", `No completion for the shell "${String(args.shell)}": use bash or zsh`);
    return 0;
  },
});
