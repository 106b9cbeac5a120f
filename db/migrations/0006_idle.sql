CREATE TABLE "devbox_idle" (
	"devbox_id" text PRIMARY KEY NOT NULL,
	"last_activity_at" timestamp with time zone,
	"last_activity_kind" text,
	"last_activity_by" text,
	"timeout_minutes" integer,
	"keep_until" timestamp with time zone,
	"keep_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_idle_settings" (
	"team_id" text PRIMARY KEY NOT NULL,
	"timeout_minutes" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "idle_timeout_minutes" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "devbox_idle" ADD CONSTRAINT "devbox_idle_devbox_id_devboxes_id_fk" FOREIGN KEY ("devbox_id") REFERENCES "public"."devboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_idle_settings" ADD CONSTRAINT "team_idle_settings_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;