-- Throttle rows answer "was this attempt refused?" from the same UPSERT that records it (check and record are one statement).
ALTER TABLE "login_throttle" ADD COLUMN "refused" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- A browser that logged in before: its own login allowance, bound to one account (only the sha-256 of the cookie is kept).
CREATE TABLE "remembered_devices" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "remembered_devices" ADD CONSTRAINT "remembered_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "remembered_devices_user_idx" ON "remembered_devices" USING btree ("user_id");
--> statement-breakpoint
-- Issuing a link voids the user's older unused links of the same purpose.
CREATE INDEX "auth_tokens_open_idx" ON "auth_tokens" USING btree ("user_id","purpose") WHERE used_at is null;
