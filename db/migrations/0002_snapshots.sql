CREATE TYPE "public"."snapshot_trigger" AS ENUM('stop', 'commit', 'restart', 'update', 'periodic', 'merge', 'fork');--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"devbox_id" text NOT NULL,
	"team_id" text NOT NULL,
	"image" text NOT NULL,
	"digest" text NOT NULL,
	"parent_digest" text,
	"parent_image" text,
	"layer_digest" text,
	"bytes_added" bigint DEFAULT 0 NOT NULL,
	"layer_count" integer NOT NULL,
	"own_layer_count" integer NOT NULL,
	"trigger" "snapshot_trigger" NOT NULL,
	"actor_id" text,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"pod_uid" text,
	"request_id" text NOT NULL,
	"pinned" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_devbox_id_devboxes_id_fk" FOREIGN KEY ("devbox_id") REFERENCES "public"."devboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_request_idx" ON "snapshots" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "snapshots_devbox_idx" ON "snapshots" USING btree ("devbox_id","created_at");