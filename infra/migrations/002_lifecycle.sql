-- The whole round lifecycle: tasks, stationing records, petitions (informants apart), clues,
-- reports, plans, progress, reconciliation, escalations, look-backs, spot checks, letters,
-- disclosure; and the statistics views.

-- Rows that must stay invisible to the inspected unit until a moment (spot checks: the visit).
ALTER TABLE audit_log ADD COLUMN confidential_until timestamptz;
ALTER TABLE notices ADD COLUMN confidential_until timestamptz;

ALTER TABLE round_units
  ADD COLUMN group_leader_person_id text REFERENCES people(person_id),
  ADD COLUMN group_phone text,
  ADD COLUMN group_email text,
  ADD COLUMN group_mailbox text,
  ADD COLUMN stationing_starts_at timestamptz,
  ADD COLUMN stationing_ends_at timestamptz,
  ADD COLUMN feedback_at timestamptz,
  ADD COLUMN plan_filed_at timestamptz,
  ADD COLUMN rectification_report_due timestamptz,
  ADD COLUMN rectification_report_at timestamptz,
  ADD COLUMN closed_at timestamptz;

ALTER TABLE problems
  ADD COLUMN fixed_on_the_spot boolean NOT NULL DEFAULT false,
  ADD COLUMN fix_measures text,
  ADD COLUMN fix_evidence jsonb;

ALTER TABLE rectification_items
  ADD COLUMN kind text NOT NULL DEFAULT 'time-limited' CHECK (kind IN ('immediate', 'time-limited', 'long-term')),
  ADD COLUMN measures text,
  ADD COLUMN progress text NOT NULL DEFAULT 'not-done' CHECK (progress IN ('not-done', 'mostly-done', 'done')),
  ADD COLUMN overdue boolean NOT NULL DEFAULT false,
  ADD COLUMN claimed_by_person_id text REFERENCES people(person_id),
  ADD COLUMN rules_made integer NOT NULL DEFAULT 0,
  ADD COLUMN losses_recovered_yuan numeric(16, 2) NOT NULL DEFAULT 0,
  ADD COLUMN people_held_accountable integer NOT NULL DEFAULT 0,
  ADD COLUMN similar_cases_fixed integer NOT NULL DEFAULT 0,
  ADD COLUMN returned_count integer NOT NULL DEFAULT 0,
  ADD COLUMN reopened_count integer NOT NULL DEFAULT 0;

-- Every human step: assignee, due date, and the workflow Update that completes it.
CREATE TABLE tasks (
  task_id             text PRIMARY KEY,
  round_id            text NOT NULL,
  unit_id             text,
  item_id             text,
  kind                text NOT NULL,
  assignee_role       text NOT NULL,
  assignee_person_id  text REFERENCES people(person_id),
  subject             text NOT NULL,
  due_at              timestamptz NOT NULL,
  state               text NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
  workflow_id         text NOT NULL,
  update_name         text NOT NULL,
  created_at          timestamptz NOT NULL,
  closed_at           timestamptz,
  closed_by           text,
  outcome             text,
  last_rejection      text,
  confidential_until  timestamptz
);
CREATE INDEX tasks_open_by_assignee ON tasks (assignee_role, assignee_person_id, due_at) WHERE state = 'open';
CREATE INDEX tasks_round ON tasks (round_id, unit_id);

CREATE TABLE talks (
  round_id text NOT NULL, unit_id text NOT NULL, talk_id text NOT NULL,
  interviewer text NOT NULL, interviewee_name text NOT NULL, interviewee_post text NOT NULL,
  must_ask jsonb NOT NULL, notes text, recorded_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, talk_id)
);
CREATE TABLE file_checks (
  round_id text NOT NULL, unit_id text NOT NULL, check_id text NOT NULL,
  checked_by text NOT NULL, must_see jsonb NOT NULL, recorded_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, check_id)
);
CREATE TABLE questionnaires (
  round_id text NOT NULL, unit_id text NOT NULL, questionnaire_id text NOT NULL,
  recorded_by text NOT NULL, distributed integer NOT NULL, returned integer NOT NULL, summary text NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, questionnaire_id)
);

-- 信访举报: the content, and apart from it the informant, readable only by the inspection group and
-- the discipline commission (the API enforces roles; this table is never joined into unit views).
CREATE TABLE petitions (
  round_id text NOT NULL, unit_id text NOT NULL, petition_id text NOT NULL,
  received_via text NOT NULL, content text NOT NULL, anonymous boolean NOT NULL,
  alleges_false_rectification_of jsonb NOT NULL DEFAULT '[]',
  recorded_by text NOT NULL, recorded_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, petition_id)
);
CREATE TABLE petition_informants (
  round_id text NOT NULL, unit_id text NOT NULL, petition_id text NOT NULL,
  name text NOT NULL, phone text, email text,
  PRIMARY KEY (round_id, unit_id, petition_id),
  FOREIGN KEY (round_id, unit_id, petition_id) REFERENCES petitions(round_id, unit_id, petition_id)
);

CREATE TABLE clue_transfers (
  round_id text NOT NULL, unit_id text NOT NULL, clue_id text NOT NULL,
  transferred_to text NOT NULL CHECK (transferred_to IN ('disciplineCommission', 'organisationDept')),
  summary text NOT NULL, problem_id text, supervised boolean NOT NULL DEFAULT false,
  transferred_by text NOT NULL, transferred_at timestamptz NOT NULL, report_back_due timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'reported')), overdue boolean NOT NULL DEFAULT false,
  outcome text, case_opened boolean, people_disciplined integer, reported_at timestamptz, reported_by text,
  workflow_id text NOT NULL,
  PRIMARY KEY (round_id, unit_id, clue_id)
);

CREATE TABLE inspection_reports (
  round_id text NOT NULL, unit_id text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('draft', 'office', 'leadingGroup', 'secretaryMeeting', 'approved')),
  summary text, submitted_at timestamptz, submitted_by text, approved_at timestamptz,
  reviews jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE rectification_plans (
  round_id text NOT NULL, unit_id text NOT NULL, filed_by text NOT NULL, filed_at timestamptz NOT NULL,
  items jsonb NOT NULL,
  PRIMARY KEY (round_id, unit_id)
);

-- generation: a reopened item is a new run of its workflow; its reports count from 1 again.
CREATE TABLE progress_reports (
  round_id text NOT NULL, unit_id text NOT NULL, item_id text NOT NULL, generation integer NOT NULL, seq integer NOT NULL,
  reported_by text NOT NULL, status text NOT NULL, note text NOT NULL, evidence jsonb NOT NULL,
  results jsonb, reported_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, item_id, generation, seq)
);

CREATE TABLE reconciliations (
  round_id text NOT NULL, unit_id text NOT NULL, item_id text NOT NULL, generation integer NOT NULL, seq integer NOT NULL,
  decision text NOT NULL CHECK (decision IN ('close', 'return')), decided_by text NOT NULL,
  evidence jsonb NOT NULL, reason text, new_deadline timestamptz, decided_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, item_id, generation, seq)
);

-- 约谈, 深刻检查, 专题民主生活会, 通报, 问责, 催办: one row per step; never twice for the same subject.
CREATE TABLE escalations (
  escalation_key text PRIMARY KEY,
  round_id text NOT NULL, unit_id text NOT NULL, item_id text,
  step text NOT NULL, detail jsonb NOT NULL DEFAULT '{}', raised_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')), decided_at timestamptz, decision text
);
CREATE INDEX escalations_round ON escalations (round_id, unit_id);

CREATE TABLE self_examinations (
  round_id text NOT NULL, unit_id text NOT NULL, submitted_by text, submitted_at timestamptz, text text,
  decision text CHECK (decision IN ('accept', 'reject')), decided_by text, reason text, decided_at timestamptz,
  PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE look_backs (
  round_id text NOT NULL, unit_id text NOT NULL, check_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('look-back', 'spot-check', 'petition')),
  recorded_by text NOT NULL, findings jsonb NOT NULL, recorded_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, check_id)
);

-- 突击察访: invisible to the unit until the visit has started.
CREATE TABLE spot_checks (
  round_id text NOT NULL, unit_id text NOT NULL, spot_check_id text NOT NULL,
  planned_by text NOT NULL, visit_at timestamptz NOT NULL, target text NOT NULL, team jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('planned', 'started', 'done')), started_at timestamptz,
  confidential_until timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, spot_check_id)
);

CREATE TABLE disclosures (
  round_id text NOT NULL, unit_id text NOT NULL, published_by text NOT NULL, published_at timestamptz NOT NULL,
  summary text NOT NULL, withheld jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE common_issue_letters (
  round_id text NOT NULL, letter_id text NOT NULL, department text NOT NULL,
  contact_person_id text NOT NULL REFERENCES people(person_id), subject text NOT NULL, problems jsonb NOT NULL,
  sent_by text NOT NULL, sent_at timestamptz NOT NULL, deadline timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'answered')), overdue boolean NOT NULL DEFAULT false,
  measures text, answered_at timestamptz, answered_by text, workflow_id text NOT NULL,
  PRIMARY KEY (round_id, letter_id)
);

-- Statistics (per round and per unit) for the lifecycle's reporting.
CREATE VIEW unit_statistics AS
SELECT ru.round_id, ru.unit_id, u.name AS unit_name, u.sector, ru.phase,
  (SELECT count(*) FROM problems p WHERE p.round_id = ru.round_id AND p.unit_id = ru.unit_id) AS problems,
  (SELECT count(*) FROM problems p WHERE p.round_id = ru.round_id AND p.unit_id = ru.unit_id AND p.fixed_on_the_spot) AS fixed_on_the_spot,
  count(i.item_id) AS items,
  count(i.item_id) FILTER (WHERE i.state = 'closed') AS items_closed,
  count(i.item_id) FILTER (WHERE i.state = 'open' AND i.overdue) AS items_overdue,
  count(i.item_id) FILTER (WHERE i.kind = 'long-term') AS items_long_term,
  count(i.item_id) FILTER (WHERE i.progress = 'not-done') AS progress_not_done,
  count(i.item_id) FILTER (WHERE i.progress = 'mostly-done') AS progress_mostly_done,
  count(i.item_id) FILTER (WHERE i.progress = 'done') AS progress_done,
  COALESCE(round(100.0 * count(i.item_id) FILTER (WHERE i.state = 'closed') / NULLIF(count(i.item_id), 0), 2), 100) AS rate_percent,
  COALESCE(sum(i.losses_recovered_yuan), 0) AS losses_recovered_yuan,
  COALESCE(sum(i.rules_made), 0) AS rules_made,
  COALESCE(sum(i.people_held_accountable), 0) AS people_held_accountable,
  (SELECT count(*) FROM talks t WHERE t.round_id = ru.round_id AND t.unit_id = ru.unit_id) AS people_interviewed,
  (SELECT count(*) FROM clue_transfers c WHERE c.round_id = ru.round_id AND c.unit_id = ru.unit_id AND c.transferred_to = 'disciplineCommission') AS clues_to_discipline,
  (SELECT count(*) FROM clue_transfers c WHERE c.round_id = ru.round_id AND c.unit_id = ru.unit_id AND c.transferred_to = 'organisationDept') AS clues_to_organisation,
  (SELECT COALESCE(sum(c.people_disciplined), 0) FROM clue_transfers c WHERE c.round_id = ru.round_id AND c.unit_id = ru.unit_id) AS people_disciplined,
  (SELECT count(*) FROM escalations e WHERE e.round_id = ru.round_id AND e.unit_id = ru.unit_id) AS escalations
FROM round_units ru
JOIN units u ON u.unit_id = ru.unit_id
LEFT JOIN rectification_items i ON i.round_id = ru.round_id AND i.unit_id = ru.unit_id
GROUP BY ru.round_id, ru.unit_id, u.name, u.sector, ru.phase;

CREATE VIEW problem_categories AS
SELECT round_id, unit_id, category, count(*) AS problems FROM problems GROUP BY round_id, unit_id, category;

CREATE VIEW round_statistics AS
SELECT round_id,
  count(*) AS units,
  sum(problems) AS problems, sum(items) AS items, sum(items_closed) AS items_closed, sum(items_overdue) AS items_overdue,
  COALESCE(round(100.0 * sum(items_closed) / NULLIF(sum(items), 0), 2), 100) AS rate_percent,
  sum(losses_recovered_yuan) AS losses_recovered_yuan, sum(rules_made) AS rules_made,
  sum(people_held_accountable) AS people_held_accountable, sum(people_interviewed) AS people_interviewed,
  sum(clues_to_discipline) AS clues_to_discipline, sum(clues_to_organisation) AS clues_to_organisation,
  sum(people_disciplined) AS people_disciplined, sum(escalations) AS escalations
FROM unit_statistics GROUP BY round_id;
