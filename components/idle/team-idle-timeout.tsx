"use client";

import { useEffect, useState } from "react";
import { Card } from "@/components/ui/card";
import { fetchTeamTimeout, setTeamTimeout } from "./idle-api";
import { TimeoutSelect } from "./timeout-select";

/** Team settings: the idle timeout of the team's devboxes (admins); each devbox may override it. */
export function TeamIdleTimeout({ team, canEdit }: { team: string; canEdit: boolean }) {
  const [value, setValue] = useState<number | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchTeamTimeout(team).then((s) => setValue(s.timeoutMinutes), (e: Error) => setError(e.message));
  }, [team]);
  return (
    <Card title="Idle auto-stop" description="A running devbox with no terminal, SSH, preview or exec activity for this long is stopped (a snapshot is saved first).">
      {value !== undefined && (
        <label className="flex flex-wrap items-center gap-2 text-sm">
          Stop after
          <TimeoutSelect
            value={value}
            inherited="each template's timeout (60 min by default)"
            disabled={!canEdit}
            testId="team-idle-timeout"
            onChange={(v) => setTeamTimeout(team, v).then((s) => (setValue(s.timeoutMinutes), setError(null)), (e: Error) => setError(e.message))}
          />
          without activity
        </label>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
    </Card>
  );
}
