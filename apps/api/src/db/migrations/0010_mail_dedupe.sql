-- A Message-ID is chosen by the sender, so it alone cannot identify a message: anyone who sends first with
-- another message's id would make the real one look like a re-read. Inbound mail is deduplicated on
-- (mailbox, Message-ID, sha-256 of the raw bytes); rows stored before this keep their raw hash as content hash.
ALTER TABLE "mail_messages" ADD COLUMN "content_sha256" text;--> statement-breakpoint
UPDATE "mail_messages" SET "content_sha256" = "raw_sha256" WHERE "direction" = 'in';--> statement-breakpoint
DROP INDEX "mail_messages_dedupe_key";--> statement-breakpoint
CREATE UNIQUE INDEX "mail_messages_dedupe_key" ON "mail_messages" USING btree ("mailbox_id","dedupe_key","content_sha256") WHERE "mail_messages"."direction" = 'in';--> statement-breakpoint
-- The admins' list of inbound mail that was stored without opening a ticket (machines, spam, unusable senders).
CREATE INDEX "mail_messages_in_stored_idx" ON "mail_messages" USING btree ("created_at") WHERE "mail_messages"."direction" = 'in' and "mail_messages"."ticket_id" is null;--> statement-breakpoint
-- Automated mail (reports, notices, noreply senders) opens no ticket unless the department asks for it.
ALTER TABLE "departments" ADD COLUMN "automated_mail_opens_tickets" boolean DEFAULT false NOT NULL;
