"use client";

import { useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ideLinks } from "@/lib/ssh/ide-links";

/**
 * "Open in VS Code / Cursor / JetBrains Gateway" and the commands to copy. The links name the
 * SSH host alias `devbox config-ssh` writes; the editors connect through it (no key or token in
 * the page). Shown to developers and above: they are the ones SSH lets in.
 */
export function SshAccess({ team, devbox, user, workingDir }: { team: string; devbox: string; user: string; workingDir: string }) {
  const l = ideLinks({ team, devbox, user, workingDir });
  return (
    <Card title="Open in an editor" description="Run `devbox config-ssh` once (and again after creating devboxes); your SSH key must be in SSH keys.">
      <div className="space-y-3" data-testid="ssh-access">
        <div className="flex flex-wrap gap-2">
          <a className={buttonClass("secondary")} href={l.vscode} data-testid="open-vscode">Open in VS Code</a>
          <a className={buttonClass("secondary")} href={l.cursor} data-testid="open-cursor">Open in Cursor</a>
          <a className={buttonClass("secondary")} href={l.gateway} data-testid="open-gateway">Open in JetBrains Gateway</a>
        </div>
        <CopyLine label="Set up SSH" text={l.configSshCommand} testId="copy-config-ssh" />
        <CopyLine label="Connect" text={l.sshCommand} testId="copy-ssh" />
      </div>
    </Card>
  );
}

function CopyLine({ label, text, testId }: { label: string; text: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="w-24 shrink-0 text-zinc-500">{label}</span>
      <code className="flex-1 rounded bg-zinc-100 px-2 py-1 dark:bg-zinc-800" data-testid={`${testId}-text`}>{text}</code>
      <button
        type="button"
        className={buttonClass("ghost", "px-2 py-1 text-xs")}
        data-testid={testId}
        onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
