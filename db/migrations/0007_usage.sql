CREATE TABLE "usage_samples" (
	"devbox_id" text NOT NULL,
	"resolution" integer NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"cpu_millis" real NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"disk_bytes" bigint NOT NULL,
	"rx_bytes_per_sec" real,
	"tx_bytes_per_sec" real,
	"net_samples" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_samples_devbox_id_resolution_bucket_start_pk" PRIMARY KEY("devbox_id","resolution","bucket_start")
);
--> statement-breakpoint
ALTER TABLE "usage_samples" ADD CONSTRAINT "usage_samples_devbox_id_devboxes_id_fk" FOREIGN KEY ("devbox_id") REFERENCES "public"."devboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_samples_age_idx" ON "usage_samples" USING btree ("resolution","bucket_start");