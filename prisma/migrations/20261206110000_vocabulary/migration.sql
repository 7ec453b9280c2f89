-- The case column holds the ladder step reached, not a stage (a step has a stage, its severity).
ALTER TABLE "collection_cases" RENAME COLUMN "current_stage" TO "current_step";
