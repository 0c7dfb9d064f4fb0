-- 台账 core: people and units, rounds, problems, rectification items, notices, audit log.
-- Writes are upserts keyed by business ids; the audit log is append-only.

CREATE TABLE people (
  person_id   text PRIMARY KEY,
  name        text NOT NULL,
  post        text,
  unit_id     text,
  email       text,
  phone       text,
  roles       text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sectors (
  sector_id text PRIMARY KEY,
  label     text NOT NULL
);
INSERT INTO sectors VALUES
  ('municipal', '市直单位'), ('town', '乡镇(街道)'), ('village', '村(社区)'),
  ('soe', '国有企业'), ('key-project', '重点项目'), ('grassroots-station', '基层站所');

CREATE TABLE units (
  unit_id                     text PRIMARY KEY,
  name                        text NOT NULL,
  sector                      text NOT NULL REFERENCES sectors(sector_id),
  parent_unit_id              text REFERENCES units(unit_id),
  head_person_id              text REFERENCES people(person_id),
  party_secretary_person_id   text REFERENCES people(person_id),
  leader_in_charge_person_id  text REFERENCES people(person_id),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rounds (
  round_id      text PRIMARY KEY,
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('regular', 'special', 'linked', 'cross')),
  policy        jsonb NOT NULL,
  phase         text NOT NULL CHECK (phase IN ('running', 'completed')),
  workflow_id   text NOT NULL,
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL,
  completed_at  timestamptz
);

-- Round-level roles (office, discipline commission, ...) resolved to people when a notice is sent.
CREATE TABLE round_contacts (
  round_id   text NOT NULL REFERENCES rounds(round_id),
  role       text NOT NULL,
  person_id  text NOT NULL REFERENCES people(person_id),
  PRIMARY KEY (round_id, role)
);

CREATE TABLE round_units (
  round_id     text NOT NULL REFERENCES rounds(round_id),
  unit_id      text NOT NULL REFERENCES units(unit_id),
  phase        text NOT NULL,
  workflow_id  text NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE problems (
  round_id     text NOT NULL,
  unit_id      text NOT NULL,
  problem_id   text NOT NULL,
  category     text NOT NULL,
  title        text NOT NULL,
  facts        text NOT NULL,
  evidence     jsonb NOT NULL DEFAULT '[]',
  recorded_by  text NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (round_id, unit_id, problem_id),
  FOREIGN KEY (round_id, unit_id) REFERENCES round_units(round_id, unit_id)
);

CREATE TABLE rectification_items (
  round_id        text NOT NULL,
  unit_id         text NOT NULL,
  item_id         text NOT NULL,
  problem_id      text NOT NULL,
  title           text NOT NULL,
  deadline        timestamptz NOT NULL,
  responsible_person_id text REFERENCES people(person_id),
  state           text NOT NULL CHECK (state IN ('open', 'closed')),
  colour          text NOT NULL DEFAULT 'none' CHECK (colour IN ('none', 'green', 'yellow', 'red')),
  workflow_id     text NOT NULL,
  issued_at       timestamptz NOT NULL,
  closed_at       timestamptz,
  closed_by       text,
  close_evidence  jsonb,
  close_note      text,
  PRIMARY KEY (round_id, unit_id, item_id),
  FOREIGN KEY (round_id, unit_id, problem_id) REFERENCES problems(round_id, unit_id, problem_id)
);
CREATE INDEX rectification_items_open_deadline ON rectification_items (deadline) WHERE state = 'open';

-- A notice is recorded before it is sent; the unique key makes a retried send a no-op.
CREATE TABLE notices (
  notice_id            bigserial PRIMARY KEY,
  idempotency_key      text NOT NULL UNIQUE,
  round_id             text,
  unit_id              text,
  item_id              text,
  template             text NOT NULL,
  channel              text NOT NULL DEFAULT 'email',
  recipient_person_id  text REFERENCES people(person_id),
  recipient_role       text NOT NULL,
  recipient_email      text NOT NULL,
  subject              text NOT NULL,
  state                text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts             integer NOT NULL DEFAULT 0,
  last_error           text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  provider_message_id  text
);
CREATE INDEX notices_round ON notices (round_id, unit_id, item_id);

-- Append-only: one row per event, keyed so a repeated activity adds nothing.
CREATE TABLE audit_log (
  audit_id     bigserial PRIMARY KEY,
  event_key    text NOT NULL UNIQUE,
  event_type   text NOT NULL,
  round_id     text,
  unit_id      text,
  entity       text NOT NULL,
  entity_id    text NOT NULL,
  actor        text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}',
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_round ON audit_log (round_id, occurred_at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
