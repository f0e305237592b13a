import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * What a test server ends when it closes: its pending timers (a delayed answer) and its open
 * connections (keep-alive sockets a client left open), so that close() returns at once and never
 * holds a test run open.
 */
export interface ServerLife {
  /** Resolves after `ms`, unless the server closes first (the timer is then cleared). */
  later(ms: number): Promise<void>;
  /** Tracks the server's connections; answers the server. */
  attach(server: Server): Server;
  /** Clears the timers, destroys the connections and closes the attached server. */
  close(): Promise<void>;
}

export function serverLife(): ServerLife {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let attached: Server | undefined;
  return {
    later: (ms) =>
      new Promise((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
    attach: (server) => {
      attached = server;
      server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      return server;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      const server = attached;
      if (server) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
