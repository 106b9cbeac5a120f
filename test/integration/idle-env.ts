// Imported first by the idle test: a shortened idle clock (1 "minute" = 1 s), read at module load.
import "./terminal-env";

process.env.DEVBOX_IDLE_UNIT_MS = "1000";
process.env.DEVBOX_IDLE_WARN_MINUTES = "8";
process.env.DEVBOX_IDLE_CHECK_MS = "1000";
process.env.DEVBOX_ACTIVITY_FLUSH_MS = "1000";
