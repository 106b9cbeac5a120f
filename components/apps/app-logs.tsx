"use client";

import { useEffect, useRef, useState } from "react";
import { api } from "@/components/releases/api";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** The last N lines of a replica's log; "Follow" streams new lines over the dashboard's websocket. */
export function AppLogs({ teamSlug, app, pods }: { teamSlug: string; app: string; pods: string[] }) {
  const [pod, setPod] = useState(pods[0] ?? "");
  const [tail, setTail] = useState(200);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(false);
  const ws = useRef<WebSocket | null>(null);
  const current = pod && pods.includes(pod) ? pod : pods[0] ?? "";

  useEffect(() => {
    if (!follow || !current) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const sock = new WebSocket(`${proto}//${location.host}/api/v1/teams/${teamSlug}/apps/${app}/logs/follow?pod=${encodeURIComponent(current)}&tail=${tail}`);
    ws.current = sock;
    setText("");
    sock.onmessage = (m) => setText((t) => (t + String(m.data)).slice(-200_000));
    sock.onclose = (e) => {
      if (e.code !== 1000) setError(e.reason || `The log stream closed (${e.code}).`);
      setFollow(false);
    };
    return () => {
      sock.onclose = null; // our own close is no error
      sock.close();
    };
  }, [follow, current, teamSlug, app, tail]);

  return (
    <Card title="Logs" actions={
      <div className="flex items-center gap-2">
        <select value={current} onChange={(e) => setPod(e.target.value)} className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700 dark:bg-zinc-900" aria-label="Replica">
          {pods.map((p) => <option key={p}>{p}</option>)}
        </select>
        <input type="number" min={1} max={5000} value={tail} onChange={(e) => setTail(Number(e.target.value))} className="w-20 rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700 dark:bg-zinc-900" aria-label="Lines" />
        <Button variant="secondary" data-testid="load-logs" disabled={!current} onClick={() => {
          setError(null);
          void api.logs(teamSlug, app, current, tail).then(setText, (e) => setError(String(e.message ?? e)));
        }}>Last lines</Button>
        <Button variant={follow ? "primary" : "secondary"} data-testid="follow-logs" disabled={!current} onClick={() => setFollow((f) => !f)}>{follow ? "Stop following" : "Follow"}</Button>
      </div>
    }>
      {error && <p className="mb-2 text-sm text-red-600">{error}</p>}
      <pre className="max-h-96 overflow-auto whitespace-pre-wrap rounded bg-zinc-950 p-3 font-mono text-xs text-zinc-100" data-testid="app-logs" data-following={follow}>{text || " "}</pre>
    </Card>
  );
}
