-- An attachment is complete when its own bytes arrived: announcing a hash that the store already holds
-- grants nothing. Rows from before are complete when the stored file came with them or after them (an
-- upload, or mail stored in one transaction), or when their uploader had announced the same file before
-- it was stored (they sent it); one that only matched a file stored earlier must be sent again.
ALTER TABLE "attachments" ADD COLUMN "stored_at" timestamp with time zone;
--> statement-breakpoint
UPDATE "attachments" AS a SET "stored_at" = b."created_at"
FROM "blobs" AS b
WHERE b."sha256" = a."sha256" AND (
  b."created_at" >= a."created_at" OR EXISTS (
    SELECT 1 FROM "attachments" AS o
    WHERE o."sha256" = a."sha256" AND o."uploaded_by_id" = a."uploaded_by_id" AND o."created_at" <= b."created_at"
  )
);
--> statement-breakpoint
-- File bytes in rows of at most 1 MiB, written as an upload streams in and read back one by one, so no
-- statement ever carries (or rewrites) a whole file. A key names one upload's pieces; once verified, the
-- blob takes the key and the pieces stay where they are. Photos are compressed already: no TOAST
-- compression attempt (EXTERNAL).
CREATE TABLE "blob_pieces" (
	"pieces_key" uuid NOT NULL,
	"start" bigint NOT NULL,
	"content" bytea NOT NULL,
	CONSTRAINT "blob_pieces_pieces_key_start_pk" PRIMARY KEY("pieces_key","start")
);
--> statement-breakpoint
ALTER TABLE "blob_pieces" ALTER COLUMN "content" SET STORAGE EXTERNAL;
--> statement-breakpoint
-- A blob holds its bytes inline (mail, small files stored by the server) or names its pieces.
ALTER TABLE "blobs" ADD COLUMN "pieces_key" uuid;
--> statement-breakpoint
ALTER TABLE "blobs" ADD CONSTRAINT "blobs_inline_or_pieces" CHECK ("pieces_key" IS NULL OR octet_length("content") = 0);
--> statement-breakpoint
CREATE UNIQUE INDEX "blobs_pieces_key_idx" ON "blobs" USING btree ("pieces_key") WHERE "pieces_key" IS NOT NULL;
--> statement-breakpoint
-- An upload in progress: how many bytes arrived (in blob_pieces under pieces_key) and which request is
-- writing now (a lease, so two requests never interleave bytes and a dead one's claim expires).
ALTER TABLE "attachment_uploads" ADD COLUMN "pieces_key" uuid DEFAULT gen_random_uuid() NOT NULL;
--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD COLUMN "received_bytes" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD COLUMN "writer" uuid;
--> statement-breakpoint
ALTER TABLE "attachment_uploads" ADD COLUMN "writer_seen_at" timestamp with time zone;
--> statement-breakpoint
UPDATE "attachment_uploads" SET "received_bytes" = octet_length("received");
--> statement-breakpoint
INSERT INTO "blob_pieces" ("pieces_key", "start", "content")
SELECT "pieces_key", 0, "received" FROM "attachment_uploads" WHERE octet_length("received") > 0;
--> statement-breakpoint
ALTER TABLE "attachment_uploads" DROP COLUMN "received";
--> statement-breakpoint
-- However an upload ends (stored, discarded, abandoned, its attachment deleted), its pieces go with it
-- unless a blob took them.
CREATE OR REPLACE FUNCTION mesa_drop_upload_pieces() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.pieces_key IS DISTINCT FROM NEW.pieces_key THEN
    IF NOT EXISTS (SELECT 1 FROM blobs WHERE pieces_key = OLD.pieces_key) THEN
      DELETE FROM blob_pieces WHERE pieces_key = OLD.pieces_key;
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER attachment_uploads_drop_pieces AFTER DELETE OR UPDATE OF pieces_key ON "attachment_uploads"
FOR EACH ROW EXECUTE FUNCTION mesa_drop_upload_pieces();
--> statement-breakpoint
-- Bytes each user sent per (UTC) day, reserved before a request's body is read.
CREATE TABLE "upload_quota" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "upload_quota_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
ALTER TABLE "upload_quota" ADD CONSTRAINT "upload_quota_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
