-- What an inspected unit's people may read, as a database role: never petitions, informants,
-- talks, clues, spot-check plans or the audit trail. The API (per-unit scope) reads through it.
DO $$ BEGIN
  CREATE ROLE xuncha_unit_reader NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Tasks and notices the unit may see: none that is still confidential (spot checks before the visit).
CREATE VIEW unit_visible_tasks AS
  SELECT task_id, round_id, unit_id, item_id, kind, assignee_role, subject, due_at, state, closed_at, outcome, last_rejection
    FROM tasks WHERE confidential_until IS NULL OR confidential_until <= now();
CREATE VIEW unit_visible_notices AS
  SELECT notice_id, round_id, unit_id, item_id, template, recipient_role, subject, state, sent_at
    FROM notices WHERE confidential_until IS NULL OR confidential_until <= now();
CREATE VIEW unit_visible_spot_checks AS
  SELECT round_id, unit_id, spot_check_id, visit_at, state, started_at FROM spot_checks WHERE confidential_until <= now();

GRANT USAGE ON SCHEMA public TO xuncha_unit_reader;
GRANT SELECT ON rounds, units, sectors, round_units, problems, rectification_items, rectification_plans, progress_reports,
  reconciliations, escalations, self_examinations, disclosures, unit_statistics, problem_categories,
  unit_visible_tasks, unit_visible_notices, unit_visible_spot_checks TO xuncha_unit_reader;

-- Informants are readable only by the inspection group and the discipline commission: the API
-- reads them through this role, and only for those two.
DO $$ BEGIN
  CREATE ROLE xuncha_informant_reader NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO xuncha_informant_reader;
GRANT SELECT ON petitions, petition_informants TO xuncha_informant_reader;
