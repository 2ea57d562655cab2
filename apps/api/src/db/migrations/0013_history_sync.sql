-- History rows go to devices through the sync pull like tickets and articles: each row remembers the
-- transaction that wrote it. Rows are only inserted, so the default is enough (no trigger). Rows written
-- before this column existed take the migration's transaction, which every later snapshot sees.
ALTER TABLE "ticket_history" ADD COLUMN "change_xid" xid8 DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "ticket_history_change_xid_idx" ON "ticket_history" USING btree ("change_xid");
