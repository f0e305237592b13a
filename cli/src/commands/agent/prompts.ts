import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import type { AgentPrompt, ConfirmRequest, PinRequest, SecretRequest, WaitingRequest } from "@kyso/agent";
import type { Io } from "../../command.js";
import { promptHidden } from "../../secrets.js";
import { translator } from "../../messages/index.js";

/** The question for a PIN, an OTP or a PKCS#12 password, naming what it is for and the site asking. */
function secretQuestion(r: SecretRequest, lang: "vi" | "en"): string {
  const key = r.kind === "otp" ? "agent.signer.otpQuestion" : r.kind === "password" ? "agent.signer.passwordQuestion" : "agent.signer.pinQuestion";
  return translator(lang)(key, { label: r.label, origin: r.origin });
}

function waitingLine(r: WaitingRequest, lang: "vi" | "en"): string {
  return translator(lang)("agent.signer.waiting", { count: r.count, origin: r.origin, minutes: Math.max(1, Math.round(r.timeoutMs / 60_000)) });
}

function documentList(r: ConfirmRequest, lang: "vi" | "en"): string {
  return r.documents.map((d) => `  - ${d.name} (${d.pages} ${translator(lang)("agent.run.pages")}, ${d.kind})`).join("\n");
}

/**
 * `--prompt terminal`: y/N on the terminal, the PIN without echo (secrets.ts). One question at a
 * time: requests that arrive meanwhile wait their turn.
 */
export function terminalPrompt(io: Io, lang: "vi" | "en"): AgentPrompt {
  let turn: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = turn.then(f, f);
    turn = run.catch(() => undefined);
    return run;
  };
  const ask = (question: string, signal?: AbortSignal): Promise<boolean> =>
    new Promise((resolve) => {
      const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
      const done = (yes: boolean): void => {
        rl.close();
        resolve(yes);
      };
      signal?.addEventListener("abort", () => done(false), { once: true });
      io.stderr.write(question);
      rl.once("line", (line) => done(/^(y|yes|c|có|co)$/i.test(line.trim())));
    });
  return {
    confirm: (r) =>
      serial(() =>
        r.signal?.aborted
          ? Promise.resolve(false)
          : ask(
              r.operation === "pair"
                ? translator(lang)("agent.run.pairQuestion", { origin: r.origin })
                : translator(lang)("agent.run.confirmQuestion", { origin: r.origin, operation: r.operation, count: r.documents.length, list: documentList(r, lang) }),
              r.signal,
            ),
      ),
    pin: (r: PinRequest) =>
      serial(async () => {
        try {
          return await promptHidden(io, translator(lang)("agent.run.pinQuestion", { origin: r.origin }), "PIN");
        } catch {
          return null;
        }
      }),
    secret: (r: SecretRequest) =>
      serial(async () => {
        if (r.signal?.aborted) return null;
        try {
          return await promptHidden(io, secretQuestion(r, lang), r.kind === "otp" ? "OTP" : r.kind === "password" ? "password" : "PIN");
        } catch {
          return null;
        }
      }),
    waiting: (r: WaitingRequest) => {
      io.stderr.write(`${waitingLine(r, lang)}\n`);
      return () => undefined;
    },
  };
}

/** zenity or kdialog when a display is there and one is installed; undefined otherwise. */
export function desktopTool(env: NodeJS.ProcessEnv): "zenity" | "kdialog" | undefined {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  for (const t of ["zenity", "kdialog"] as const) {
    if (spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status === 0) return t;
  }
  return undefined;
}

/** Runs a dialog; exit 0 with its stdout, 1 (no/cancel), or undefined when it could not run. */
function dialog(cmd: string, args: string[], signal?: AbortSignal): Promise<{ code: number; out: string } | undefined> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const kill = (): void => void child.kill();
    signal?.addEventListener("abort", kill, { once: true });
    child.once("error", () => resolve(undefined));
    child.once("close", (code) => {
      signal?.removeEventListener("abort", kill);
      resolve(code === 0 || code === 1 ? { code, out } : undefined);
    });
  });
}

/**
 * `--prompt desktop` (best effort): a zenity/kdialog question and password box. A dialog that cannot
 * be shown falls back to the confirmation page.
 */
export function desktopPrompt(tool: "zenity" | "kdialog", page: AgentPrompt, lang: "vi" | "en"): AgentPrompt {
  const title = "Kyso";
  return {
    async confirm(r) {
      const text = r.operation === "pair"
        ? translator(lang)("agent.run.pairQuestion", { origin: r.origin }).replace(/ \[y\/N\] $/, "")
        : translator(lang)("agent.run.confirmQuestion", { origin: r.origin, operation: r.operation, count: r.documents.length, list: documentList(r, lang) }).replace(/ \[y\/N\] $/, "");
      const res = tool === "zenity"
        ? await dialog("zenity", ["--question", "--title", title, "--no-markup", "--text", text], r.signal)
        : await dialog("kdialog", ["--title", title, "--yesno", text], r.signal);
      return res ? res.code === 0 : page.confirm(r);
    },
    async secret(r) {
      const res = tool === "zenity"
        ? await dialog("zenity", ["--password", "--title", `${title}: ${r.label}`], r.signal)
        : await dialog("kdialog", ["--title", title, "--password", secretQuestion(r, lang)], r.signal);
      if (!res) return page.secret ? page.secret(r) : page.pin(r);
      return res.code === 0 ? res.out.replace(/\r?\n$/, "") : null;
    },
    // The phone's approval: shown on the confirmation page (a dialog would wait for a click).
    waiting: (r) => page.waiting?.(r) ?? (() => undefined),
    async pin(r) {
      const text = translator(lang)("agent.run.pinQuestion", { origin: r.origin });
      const res = tool === "zenity"
        ? await dialog("zenity", ["--password", "--title", title], r.signal)
        : await dialog("kdialog", ["--title", title, "--password", text], r.signal);
      if (!res) return page.pin(r);
      return res.code === 0 ? res.out.replace(/\r?\n$/, "") : null;
    },
  };
}
