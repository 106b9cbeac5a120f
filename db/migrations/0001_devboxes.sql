CREATE TYPE "public"."devbox_operation_kind" AS ENUM('create', 'start', 'stop', 'restart', 'update', 'delete');--> statement-breakpoint
CREATE TYPE "public"."devbox_operation_status" AS ENUM('pending', 'succeeded', 'failed', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."devbox_desired_state" AS ENUM('running', 'stopped', 'deleted');--> statement-breakpoint
CREATE TABLE "devbox_operations" (
	"id" text PRIMARY KEY NOT NULL,
	"devbox_id" text NOT NULL,
	"team_id" text NOT NULL,
	"kind" "devbox_operation_kind" NOT NULL,
	"status" "devbox_operation_status" DEFAULT 'pending' NOT NULL,
	"actor_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "devboxes" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"name" text NOT NULL,
	"template_id" text NOT NULL,
	"image" text NOT NULL,
	"cpu_millis" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"disk_mib" integer NOT NULL,
	"env" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ports" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"user" text NOT NULL,
	"working_dir" text NOT NULL,
	"desired_state" "devbox_desired_state" DEFAULT 'running' NOT NULL,
	"pod_generation" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icon" text DEFAULT '📦' NOT NULL,
	"image" text NOT NULL,
	"default_cpu_millis" integer DEFAULT 1000 NOT NULL,
	"default_memory_mib" integer DEFAULT 2048 NOT NULL,
	"default_disk_mib" integer DEFAULT 10240 NOT NULL,
	"ports" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"user" text DEFAULT 'devbox' NOT NULL,
	"working_dir" text DEFAULT '/home/devbox/project' NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "templates_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "devboxes" ADD CONSTRAINT "devboxes_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devbox_operations_devbox_idx" ON "devbox_operations" USING btree ("devbox_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "devboxes_team_name_idx" ON "devboxes" USING btree ("team_id","name");