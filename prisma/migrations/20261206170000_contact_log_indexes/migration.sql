-- The contact log at ledger scale (README "The contact log at ledger scale"): its pages are newest
-- first, ties by id, and continue after the last row shown, (created_at, id) < (cursor). This
-- index gives that order and that bound without sorting the whole log.
CREATE INDEX "contacts_created_at_id_idx" ON "contacts"("created_at", "id");

-- The actor filter (a collector's own contacts), newest first.
CREATE INDEX "contacts_actor_created_at_idx" ON "contacts"("actor", "created_at");
