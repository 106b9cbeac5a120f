CREATE TABLE "device_logins" (
	"id" text PRIMARY KEY NOT NULL,
	"device_code_hash" text NOT NULL,
	"user_code" text NOT NULL,
	"client_name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"user_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_logins" ADD CONSTRAINT "device_logins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "device_logins_device_code_idx" ON "device_logins" USING btree ("device_code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "device_logins_user_code_idx" ON "device_logins" USING btree ("user_code");--> statement-breakpoint
CREATE INDEX "device_logins_expires_idx" ON "device_logins" USING btree ("expires_at");