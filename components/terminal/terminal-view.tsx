"use client";

import "@xterm/xterm/css/xterm.css";
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";
import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { IdleTerminalWarning } from "@/components/idle/idle-terminal-warning";
import { ACK_EVERY, closeCodeLabel, CloseCode, isFinalClose, sharedTerminalPath, terminalPath, type ClientMessage, type ServerMessage } from "@/lib/terminal/protocol";

export type ConnectionStatus = "connecting" | "connected" | "disconnected" | "closed";

interface Props {
  teamSlug: string;
  devboxName: string;
  sessionId: string;
  /** Visible tab: fits the terminal to its box and focuses it. */
  active: boolean;
  onTitle?: (title: string) => void;
  /** Receives the function that ends this session on the server (the tab's close button). */
  registerEnd?: (end: () => void) => void;
  /** The devbox runs (live, from the page's event stream); undefined where the page does not know. */
  running?: boolean;
  /** A teammate's terminal shared with this user: joins it as a guest (read: cannot type). */
  share?: { id: string; mode: "read" | "write" };
  /** Extra controls in the header bar (the owner's "Share" button). */
  headerExtra?: React.ReactNode;
}

const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/**
 * One xterm bound to one terminal session (lib/terminal/protocol.ts). Reconnects by itself after
 * a network drop (the session resumes on the server with its scrollback); after a final close
 * (refusal, exit, devbox stopped) it shows why and offers to reconnect.
 */
export function TerminalView({ teamSlug, devboxName, sessionId, active, onTitle, registerEnd, running, share, headerExtra }: Props) {
  const shareId = share?.id;
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const ws = useRef<WebSocket | null>(null);
  const retry = useRef<{ n: number; timer?: ReturnType<typeof setTimeout> }>({ n: 0 });
  const disposed = useRef(false);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [closeReason, setCloseReason] = useState<string | null>(null);
  // Closed because the devbox stopped (or was not running): reconnect once it runs again.
  const [waiting, setWaiting] = useState(false);
  const [idleWarning, setIdleWarning] = useState<{ stopAt: string; message: string; cause?: string; keepable?: boolean } | null>(null);
  const onTitleRef = useRef(onTitle);
  onTitleRef.current = onTitle;

  const send = useCallback((msg: ClientMessage) => {
    if (ws.current?.readyState === WebSocket.OPEN) ws.current.send(JSON.stringify(msg));
  }, []);

  const connect = useCallback((wake = false) => {
    const t = term.current;
    if (!t || disposed.current) return;
    clearTimeout(retry.current.timer);
    setStatus("connecting");
    setCloseReason(null);
    setWaiting(false);
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const path = shareId ? sharedTerminalPath(teamSlug, devboxName, shareId) : `${terminalPath(teamSlug, devboxName, sessionId)}&cols=${t.cols}&rows=${t.rows}${wake ? "&wake=1" : ""}`;
    const sock = new WebSocket(`${proto}//${location.host}${path}`);
    sock.binaryType = "arraybuffer";
    ws.current = sock;
    let lastError: string | null = null;
    // Flow control: ack output once xterm has parsed it, so the server never runs more than a
    // window ahead of what this tab can render.
    let processed = 0;
    const flushAck = () => {
      if (processed > 0 && sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify({ type: "ack", bytes: processed } satisfies ClientMessage));
      processed = 0;
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data !== "string") {
        const bytes = new Uint8Array(ev.data as ArrayBuffer);
        t.write(bytes, () => {
          processed += bytes.length;
          // In ACK_EVERY steps: the server's window is much larger, so small output never waits.
          if (processed >= ACK_EVERY) flushAck();
        });
        return;
      }
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === "session") {
        // The replay (resumed) or a new shell follows: start from a clean screen either way.
        t.reset();
        retry.current.n = 0;
        setStatus("connected");
      } else if (msg.type === "exit") {
        lastError = msg.code === null ? "The shell ended." : `The shell exited with status ${msg.code}.`;
        t.write(`\r\n\x1b[2m[${lastError}]\x1b[0m\r\n`);
      } else if (msg.type === "error") {
        lastError = msg.message;
      } else if (msg.type === "idle-warning") {
        setIdleWarning({ stopAt: msg.stopAt, message: msg.message, cause: msg.cause, keepable: msg.keepable });
      }
    };
    sock.onclose = (ev) => {
      if (ws.current !== sock || disposed.current) return;
      if (isFinalClose(ev.code)) {
        setStatus("closed");
        setWaiting(ev.code === CloseCode.NotRunning || ev.code === CloseCode.DevboxGone);
        setCloseReason(lastError ?? (ev.code === CloseCode.Normal ? closeCodeLabel(ev.code) : ev.reason || closeCodeLabel(ev.code)));
        return;
      }
      // A drop (network, proxy, dashboard restart): retry with backoff; the session resumes.
      setStatus("disconnected");
      setCloseReason(ev.reason || closeCodeLabel(ev.code));
      const delay = RETRY_MS[Math.min(retry.current.n++, RETRY_MS.length - 1)];
      retry.current.timer = setTimeout(connect, delay);
    };
  }, [teamSlug, devboxName, sessionId, shareId]);

  useEffect(() => {
    disposed.current = false;
    let cleanup = () => {};
    void (async () => {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit"), import("@xterm/addon-web-links")]);
      if (disposed.current || !box.current) return;
      const dark = document.documentElement.classList.contains("dark");
      const t = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
        fontSize: 13,
        scrollback: 10_000,
        theme: dark ? { background: "#09090b" } : { background: "#18181b" },
        // A read-only guest: keystrokes are not even sent (the server ignores them anyway).
        disableStdin: share?.mode === "read",
      });
      const f = new FitAddon();
      t.loadAddon(f);
      t.loadAddon(new WebLinksAddon());
      t.open(box.current);
      // WebGL renderer where the browser has it; the DOM renderer otherwise or after a GPU reset.
      try {
        const { WebglAddon } = await import("@xterm/addon-webgl");
        const gl = new WebglAddon();
        gl.onContextLoss(() => gl.dispose());
        t.loadAddon(gl);
      } catch {
        /* DOM renderer */
      }
      // The page may have been left while the renderer loaded.
      if (disposed.current || !box.current) {
        t.dispose();
        return;
      }
      term.current = t;
      fit.current = f;
      // Read-only handle for end-to-end tests: the WebGL renderer draws text the DOM cannot see.
      Object.defineProperty(box.current, "xterm", { value: t, configurable: true });
      f.fit();
      const enc = new TextEncoder();
      // Typing is activity: it moves the idle deadline, so an idle warning goes (not a daily stop's or the lifetime's).
      const input = t.onData((d) => ws.current?.readyState === WebSocket.OPEN && (setIdleWarning((w) => (w && w.cause && w.cause !== "idle" ? w : null)), ws.current.send(enc.encode(d))));
      const binary = t.onBinary((d) => ws.current?.readyState === WebSocket.OPEN && ws.current.send(Uint8Array.from(d, (c) => c.charCodeAt(0))));
      // The owner's size rules a shared terminal: guests do not resize it.
      const resize = t.onResize(({ cols, rows }) => !shareId && send({ type: "resize", cols, rows }));
      const title = t.onTitleChange((s) => onTitleRef.current?.(s));
      // Ctrl+Shift+C / Ctrl+Shift+V copy and paste (Ctrl+C stays an interrupt for the shell).
      t.attachCustomKeyEventHandler((e) => {
        if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey) return true;
        if (e.code === "KeyC") {
          void navigator.clipboard?.writeText(t.getSelection());
          return false;
        }
        if (e.code === "KeyV") {
          void navigator.clipboard?.readText().then((s) => t.paste(s));
          return false;
        }
        return true;
      });
      const observer = new ResizeObserver(() => {
        if (box.current?.offsetParent) f.fit();
      });
      observer.observe(box.current);
      const keepAlive = setInterval(() => send({ type: "ping" }), 20_000);
      connect();
      cleanup = () => {
        clearInterval(keepAlive);
        observer.disconnect();
        [input, binary, resize, title].forEach((d) => d.dispose());
        t.dispose();
      };
    })();
    return () => {
      disposed.current = true;
      clearTimeout(retry.current.timer);
      ws.current?.close();
      ws.current = null;
      cleanup();
      term.current = null;
    };
  }, [connect, send]);

  useEffect(() => registerEnd?.(() => send({ type: "close" })), [registerEnd, send]);

  // The devbox is back: reconnect by itself. With backoff, since the page's status can lag the
  // close by a moment (a refusal while it still reads "running" waits a little longer each time).
  useEffect(() => {
    if (!waiting || !running) return;
    const delay = RETRY_MS[Math.min(retry.current.n++, RETRY_MS.length - 1)];
    const timer = setTimeout(connect, delay);
    return () => clearTimeout(timer);
  }, [waiting, running, connect]);

  useEffect(() => {
    if (!active) return;
    fit.current?.fit();
    term.current?.focus();
  }, [active]);

  const copy = () => void navigator.clipboard?.writeText(term.current?.getSelection() ?? "");
  const paste = () => void navigator.clipboard?.readText().then((s) => term.current?.paste(s));

  return (
    <div className={`flex h-full min-h-0 flex-col ${active ? "" : "hidden"}`} data-testid="terminal" data-status={status} data-session={sessionId} data-mode={share?.mode ?? "owner"}>
      <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1 border-b border-zinc-800 bg-zinc-900 px-3 py-1.5 text-xs text-zinc-400">
        <span className="flex min-w-0 flex-wrap items-center gap-x-2" data-testid="terminal-status">
          <span className={`inline-block h-2 w-2 rounded-full ${status === "connected" ? "bg-emerald-500" : status === "closed" ? "bg-zinc-500" : "bg-amber-500"}`} aria-hidden />
          {status === "connected" ? "Connected" : status === "connecting" ? "Connecting…" : status === "disconnected" ? "Reconnecting…" : "Closed"}
          {closeReason && status !== "connected" && <span className="text-zinc-300" data-testid="terminal-close-reason">— {closeReason}</span>}
          {waiting && running !== undefined && (
            <span className="text-zinc-400" data-testid="terminal-waiting">
              {running ? "Reconnecting…" : "Reconnects when the devbox is running again."}
            </span>
          )}
        </span>
        <span className="flex items-center gap-1">
          {share && <span className="rounded bg-zinc-800 px-1.5 py-0.5 text-zinc-300" data-testid="terminal-share-mode">{share.mode === "read" ? "Watching (read-only)" : "Shared: you can type"}</span>}
          {headerExtra}
          {status === "closed" && waiting && running === false && !share && (
            <Button variant="secondary" className="!px-2 !py-0.5 text-xs" onClick={() => connect(true)} data-testid="terminal-wake">
              Start the devbox
            </Button>
          )}
          {(status === "closed" || status === "disconnected") && (
            <Button variant="secondary" className="!px-2 !py-0.5 text-xs" onClick={() => connect()} data-testid="terminal-reconnect">
              Reconnect
            </Button>
          )}
          <Button variant="ghost" className="!px-2 !py-0.5 text-xs !text-zinc-300 hover:!bg-zinc-800" onClick={copy} title="Copy the selection (Ctrl+Shift+C)">
            Copy
          </Button>
          <Button variant="ghost" className="!px-2 !py-0.5 text-xs !text-zinc-300 hover:!bg-zinc-800" onClick={paste} title="Paste (Ctrl+Shift+V)">
            Paste
          </Button>
        </span>
      </div>
      {idleWarning && <IdleTerminalWarning team={teamSlug} devbox={devboxName} warning={idleWarning} canKeep={share?.mode !== "read" && idleWarning.keepable !== false} onDone={() => setIdleWarning(null)} />}
      <div ref={box} className="min-h-0 flex-1 bg-zinc-900 p-1" data-testid="terminal-screen" />
    </div>
  );
}
