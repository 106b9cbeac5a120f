-- Custom migration (drizzle-kit generate --custom): keep it as written when migrations are combined.
-- A plain sign-out (a row in revoked_sessions) changes what a preview request's authorization
-- reads (lib/preview/access-query.ts: the viewer's session was signed out), so it moves
-- preview_access_version at commit like the triggers of 0009_preview_access_triggers. Only
-- inserts: the sweep deletes rows whose tokens have all expired, which changes nobody's access.
CREATE CONSTRAINT TRIGGER "preview_access_revoked_sessions" AFTER INSERT ON "revoked_sessions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION preview_access_changed();
