import { integer, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { devboxes } from "./devboxes";

/**
 * Who may open a devbox port's preview URL, lowest to highest: the devbox's creator, members of
 * its team, anyone holding a signed share link, anyone. A port without a row is `private`.
 */
export const previewLevel = pgEnum("preview_level", ["private", "team", "link", "public"]);
export type PreviewLevel = (typeof previewLevel.enumValues)[number];

export const previewPorts = pgTable(
  "preview_ports",
  {
    devboxId: text("devbox_id")
      .notNull()
      .references(() => devboxes.id, { onDelete: "cascade" }),
    port: integer("port").notNull(),
    level: previewLevel("level").notNull(),
    updatedBy: text("updated_by"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.devboxId, t.port] })],
);

export type PreviewPort = typeof previewPorts.$inferSelect;
