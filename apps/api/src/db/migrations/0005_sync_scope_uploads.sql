CREATE TABLE "attachment_uploads" (
	"attachment_id" uuid PRIMARY KEY NOT NULL,
	"received" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_scope_exits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"department_id" uuid,
	"owner_id" uuid,
	"requester_id" uuid,
	"organization_id" uuid,
	"change_xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD CONSTRAINT "attachment_uploads_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_scope_exits" ADD CONSTRAINT "sync_scope_exits_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_scope_exits_change_xid_idx" ON "sync_scope_exits" USING btree ("change_xid");--> statement-breakpoint
-- A ticket leaving someone's scope (new department, owner, requester or organization) leaves its
-- old keys behind, so an incremental pull can tell the devices that held it to drop it.
CREATE OR REPLACE FUNCTION mesa_record_scope_exit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sync_scope_exits (ticket_id, department_id, owner_id, requester_id, organization_id)
  VALUES (OLD.id, OLD.department_id, OLD.owner_id, OLD.requester_id, OLD.organization_id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_record_scope_exit AFTER UPDATE OF department_id, owner_id, requester_id, organization_id ON "tickets"
FOR EACH ROW WHEN (
  OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR
  OLD.requester_id IS DISTINCT FROM NEW.requester_id OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
) EXECUTE FUNCTION mesa_record_scope_exit();
