import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * `devbox login` approvals (device-code style): the CLI holds the device code (only its SHA-256
 * is kept), the user approves the short user code in the dashboard, the CLI then redeems the
 * device code once for an API token. Rows live minutes.
 */
export const deviceLogins = pgTable(
  "device_logins",
  {
    id: text("id").primaryKey(),
    deviceCodeHash: text("device_code_hash").notNull(),
    userCode: text("user_code").notNull(),
    clientName: text("client_name").notNull(),
    // pending → approved | denied; approved → redeemed (the token is minted then, once).
    status: text("status", { enum: ["pending", "approved", "denied", "redeemed"] }).notNull().default("pending"),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("device_logins_device_code_idx").on(t.deviceCodeHash), uniqueIndex("device_logins_user_code_idx").on(t.userCode), index("device_logins_expires_idx").on(t.expiresAt)],
);

export type DeviceLogin = typeof deviceLogins.$inferSelect;
