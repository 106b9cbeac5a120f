ALTER TABLE "devbox_idle" ADD COLUMN "daily_stop_time" text;--> statement-breakpoint
ALTER TABLE "devbox_idle" ADD COLUMN "daily_stop_zone" text;--> statement-breakpoint
ALTER TABLE "devbox_idle" ADD COLUMN "daily_stop_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD COLUMN "max_lifetime_minutes" integer;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD COLUMN "max_lifetime_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD COLUMN "daily_stop_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD COLUMN "daily_stop_time" text;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD COLUMN "daily_stop_zone" text;