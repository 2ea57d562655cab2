-- Live pokes: after every statement that writes synced rows, one NOTIFY on channel mesa_sync naming
-- the scope keys of the tickets it touched, so each API instance can poke just the devices whose scope
-- holds one of them (apps/api/src/sync/pokes/). A key is a letter and a uuid: d = department,
-- o = owner, r = requester, g = organization; keys are space-separated, distinct and sorted, so the
-- statements of one transaction that touch the same tickets send identical payloads, which Postgres
-- folds into one. A ticket update sends the old keys too: a ticket leaving a scope pokes its old holders.
-- Postgres delivers at commit, never for a rollback. A payload must stay under 8000 bytes: past
-- about 200 keys the statement sends "*", which pokes everyone.
-- Statement-level with transition tables: a multi-row insert (tick-batch) costs one NOTIFY, not one per
-- row. Postgres allows transition tables only on single-event triggers, hence one trigger per event.
CREATE OR REPLACE FUNCTION mesa_sync_notify_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT string_agg(DISTINCT k, ' ' ORDER BY k) INTO keys
    FROM new_rows AS t
    CROSS JOIN LATERAL (VALUES ('d' || t.department_id), ('o' || t.owner_id), ('r' || t.requester_id),
      ('g' || t.organization_id)) AS v(k);
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT string_agg(DISTINCT k, ' ' ORDER BY k) INTO keys
    FROM (
      SELECT department_id, owner_id, requester_id, organization_id FROM new_rows
      UNION
      SELECT department_id, owner_id, requester_id, organization_id FROM old_rows
    ) AS t
    CROSS JOIN LATERAL (VALUES ('d' || t.department_id), ('o' || t.owner_id), ('r' || t.requester_id),
      ('g' || t.organization_id)) AS v(k);
  ELSE
    SELECT string_agg(DISTINCT k, ' ' ORDER BY k) INTO keys
    FROM old_rows AS t
    CROSS JOIN LATERAL (VALUES ('d' || t.department_id), ('o' || t.owner_id), ('r' || t.requester_id),
      ('g' || t.organization_id)) AS v(k);
  END IF;
  -- Null only when the statement touched no row (department_id is never null).
  IF keys IS NOT NULL THEN
    PERFORM pg_notify('mesa_sync', CASE WHEN octet_length(keys) > 7800 THEN '*' ELSE keys END);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_sync_notify_insert AFTER INSERT ON "tickets"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_tickets();
--> statement-breakpoint
CREATE TRIGGER tickets_sync_notify_update AFTER UPDATE ON "tickets"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_tickets();
--> statement-breakpoint
CREATE TRIGGER tickets_sync_notify_delete AFTER DELETE ON "tickets"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_tickets();
--> statement-breakpoint
-- Articles and attachments poke their ticket's scope (they never move between tickets, so the new rows
-- suffice; they are never deleted on their own). Customers never see internal notes nor what is
-- attached to them, so those leave out the requester and organization keys.
CREATE OR REPLACE FUNCTION mesa_sync_notify_articles() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text;
BEGIN
  SELECT string_agg(DISTINCT k, ' ' ORDER BY k) INTO keys
  FROM new_rows AS a
  JOIN tickets AS t ON t.id = a.ticket_id
  CROSS JOIN LATERAL (VALUES ('d' || t.department_id), ('o' || t.owner_id),
    (CASE WHEN a.kind <> 'internal_note' THEN 'r' || t.requester_id END),
    (CASE WHEN a.kind <> 'internal_note' THEN 'g' || t.organization_id END)) AS v(k);
  IF keys IS NOT NULL THEN
    PERFORM pg_notify('mesa_sync', CASE WHEN octet_length(keys) > 7800 THEN '*' ELSE keys END);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER articles_sync_notify_insert AFTER INSERT ON "articles"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_articles();
--> statement-breakpoint
CREATE TRIGGER articles_sync_notify_update AFTER UPDATE ON "articles"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_articles();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mesa_sync_notify_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text;
BEGIN
  SELECT string_agg(DISTINCT k, ' ' ORDER BY k) INTO keys
  FROM new_rows AS f
  JOIN tickets AS t ON t.id = f.ticket_id
  LEFT JOIN articles AS a ON a.id = f.article_id
  CROSS JOIN LATERAL (SELECT a.kind IS DISTINCT FROM 'internal_note' AS public) AS p
  CROSS JOIN LATERAL (VALUES ('d' || t.department_id), ('o' || t.owner_id),
    (CASE WHEN p.public THEN 'r' || t.requester_id END),
    (CASE WHEN p.public THEN 'g' || t.organization_id END)) AS v(k);
  IF keys IS NOT NULL THEN
    PERFORM pg_notify('mesa_sync', CASE WHEN octet_length(keys) > 7800 THEN '*' ELSE keys END);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_sync_notify_insert AFTER INSERT ON "attachments"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_attachments();
--> statement-breakpoint
CREATE TRIGGER attachments_sync_notify_update AFTER UPDATE ON "attachments"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mesa_sync_notify_attachments();
