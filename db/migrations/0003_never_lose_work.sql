CREATE TYPE "public"."registry_hold_kind" AS ENUM('push', 'gc');--> statement-breakpoint
ALTER TYPE "public"."devbox_operation_kind" ADD VALUE 'recover';--> statement-breakpoint
ALTER TYPE "public"."snapshot_trigger" ADD VALUE 'recovery';--> statement-breakpoint
CREATE TABLE "registry_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "registry_hold_kind" NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
