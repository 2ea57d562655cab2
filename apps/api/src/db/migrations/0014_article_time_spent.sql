-- Seed 001's documenting note says how long the work took: minutes per note, summed per ticket, so notes
-- written on two devices add up instead of overwriting a total.
ALTER TABLE "articles" ADD COLUMN "time_spent_minutes" integer;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_time_spent_range" CHECK ("time_spent_minutes" IS NULL OR "time_spent_minutes" BETWEEN 1 AND 1440);
