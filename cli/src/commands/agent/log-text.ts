import type { AgentLogEvent } from "@kyso/agent";
import { errorText } from "../../messages/errors.js";
import { translator, type Lang } from "../../messages/index.js";
import { warningText } from "../sign/check-messages.js";

/**
 * One line of `kyso agent`'s console log in the run's language: @kyso/agent reports what happens as
 * events (a code and its facts, log-events.ts), said here from the catalogue (agent.log.*). Errors
 * thrown inside the agent are said as `kyso` says any error (errorText). The URLs stay as they are
 * in both languages (tools read the port from the listening line's `ws://127.0.0.1:PORT`).
 */
export function agentLogText(event: AgentLogEvent, lang: Lang): string {
  const tr = translator(lang);
  const origin = (o: string | null): string => o ?? tr("agent.log.noOrigin");
  switch (event.code) {
    case "AGENT_LISTENING": {
      const { url, confirm, origins } = event.params;
      return tr("agent.log.listening", { url, confirm, origins: origins.length ? origins.join(", ") : tr("agent.log.noOrigins") });
    }
    case "AGENT_HANDSHAKE_REFUSED":
      return tr("agent.log.handshakeRefused", { origin: origin(event.params.origin) });
    case "AGENT_REQUEST_REFUSED":
      return tr("agent.log.requestRefused", { method: event.params.method, path: event.params.path, origin: origin(event.params.origin) });
    case "AGENT_CONNECTED":
      return tr("agent.log.connected", { origin: event.params.origin });
    case "AGENT_SESSION_OPENED":
      return tr("agent.log.sessionOpened", { signer: event.params.signer });
    case "AGENT_SESSION_CLOSED": {
      const end = event.params;
      const why =
        end.reason === "ended"
          ? tr("agent.log.sessionEnd.ended", { code: end.code })
          : end.reason === "idle"
            ? tr("agent.log.sessionEnd.idle", { seconds: end.seconds })
            : tr(`agent.log.sessionEnd.${end.reason}`);
      return tr("agent.log.sessionClosed", { why });
    }
    case "AGENT_PROMPT_PENDING":
      return tr(`agent.log.pending.${event.params.kind}`, { origin: event.params.origin, confirm: event.params.confirm });
    case "AGENT_PHONE_CARD":
      return tr("agent.log.phoneCard", { origin: event.params.origin, confirm: event.params.confirm });
    case "AGENT_PHONE_WAITING":
      return tr("agent.log.phoneWaiting", { count: event.params.count, origin: event.params.origin });
    case "AGENT_CERTIFICATE_WARNING":
      return tr("agent.log.certificateWarning", { text: warningText(event.params.warning, "signing", lang) });
    case "AGENT_APPEARANCE_WARNING":
      return event.params.code === "NO_EARLIER_SIGNATURE" ? tr("agent.log.appearance.noEarlierSignature") : tr("agent.log.appearance", { message: event.params.message });
    case "AGENT_REQUEST_FAILED":
      return tr("agent.log.requestFailed", { error: errorText(event.params.error, lang) });
    case "AGENT_MESSAGE_FAILED":
      return tr("agent.log.messageFailed", { error: errorText(event.params.error, lang) });
    case "AGENT_AUDIT_FAILED":
      return tr("agent.log.auditFailed", { error: errorText(event.params.error, lang) });
  }
}
