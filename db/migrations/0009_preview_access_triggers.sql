-- Custom migration (drizzle-kit generate --custom): keep it as written when migrations are combined.
-- Anything a preview request's authorization reads (lib/preview/access-query.ts) moves
-- preview_access_version at commit, from whatever code path or replica made the change, so every
-- replica's preview access cache (lib/preview/access-cache.ts) drops what it holds on its next
-- request. DEFERRED constraint triggers take the counter's row lock last, at commit: a transaction
-- never waits for another lock while holding it (no deadlock), and the lock is held for moments.
-- pg_notify tells an embedded PGlite's single process at once, without reading the row.
INSERT INTO "preview_access_version" ("id", "version") VALUES (1, 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE OR REPLACE FUNCTION preview_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "preview_access_version" SET "version" = "version" + 1 WHERE "id" = 1;
  PERFORM pg_notify('devbox_preview_access', TG_TABLE_NAME);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_devboxes" AFTER INSERT OR DELETE ON "devboxes" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_devboxes_update" AFTER UPDATE ON "devboxes" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_teams" AFTER INSERT OR DELETE ON "teams" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_teams_update" AFTER UPDATE ON "teams" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_memberships" AFTER INSERT OR DELETE ON "memberships" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_memberships_update" AFTER UPDATE ON "memberships" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_users" AFTER INSERT OR DELETE ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_users_update" AFTER UPDATE ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.session_version IS DISTINCT FROM NEW.session_version OR OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_preview_ports" AFTER INSERT OR DELETE ON "preview_ports" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_preview_ports_update" AFTER UPDATE ON "preview_ports" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_team_preview_settings" AFTER INSERT OR DELETE ON "team_preview_settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_team_preview_settings_update" AFTER UPDATE ON "team_preview_settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_instance_settings" AFTER INSERT OR DELETE ON "instance_settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_instance_settings_update" AFTER UPDATE ON "instance_settings" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_share_links" AFTER INSERT OR DELETE ON "share_links" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "preview_access_share_links_update" AFTER UPDATE ON "share_links" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION preview_access_changed();
