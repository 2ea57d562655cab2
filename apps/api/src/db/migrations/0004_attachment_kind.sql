ALTER TABLE "attachments" ADD COLUMN "kind" text DEFAULT 'file' NOT NULL;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "signer_name" text;