-- Offline sync: every write stamps the row with its transaction id, so a pull can ask
-- "which rows were written by a transaction my last snapshot did not see".
CREATE OR REPLACE FUNCTION mesa_touch_change_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_touch_change_xid BEFORE INSERT OR UPDATE ON "tickets" FOR EACH ROW EXECUTE FUNCTION mesa_touch_change_xid();
--> statement-breakpoint
CREATE TRIGGER articles_touch_change_xid BEFORE INSERT OR UPDATE ON "articles" FOR EACH ROW EXECUTE FUNCTION mesa_touch_change_xid();
--> statement-breakpoint
CREATE TRIGGER attachments_touch_change_xid BEFORE INSERT OR UPDATE ON "attachments" FOR EACH ROW EXECUTE FUNCTION mesa_touch_change_xid();
