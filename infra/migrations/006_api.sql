-- HTTP API: evidence attachments (佐证材料) kept in the ledger, one-time login links, and what the
-- inspected unit's reader role may additionally see (its task inbox, its evidence, people's names).

CREATE TABLE evidence_files (
  evidence_id   uuid PRIMARY KEY,
  round_id      text NOT NULL,
  unit_id       text NOT NULL,
  item_id       text NOT NULL,
  file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  content_type  text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'text/plain',
                  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
  size_bytes    integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content       bytea NOT NULL CHECK (octet_length(content) = size_bytes),
  uploaded_by   text NOT NULL,
  uploaded_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (round_id, unit_id, item_id) REFERENCES rectification_items(round_id, unit_id, item_id)
);
CREATE INDEX evidence_files_item ON evidence_files (round_id, unit_id, item_id);

-- Only the hash of a link's secret is kept; a link is redeemed once (used_at) before it expires.
CREATE TABLE login_links (
  token_hash  text PRIMARY KEY,
  person_id   text NOT NULL REFERENCES people(person_id),
  role        text NOT NULL,
  scope       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);

CREATE VIEW unit_visible_task_inbox AS
  SELECT task_id, round_id, unit_id, item_id, kind, assignee_role, assignee_id, subject, due_at, state, workflow_id, update_name, last_rejection
    FROM task_inbox WHERE confidential_until IS NULL OR confidential_until <= now();

GRANT SELECT ON evidence_files, unit_visible_task_inbox TO xuncha_unit_reader;
-- Names and posts only: never e-mail addresses or phone numbers of anyone else.
GRANT SELECT (person_id, name, post, unit_id) ON people TO xuncha_unit_reader;

-- The application's own role switches into the reader roles (SET LOCAL ROLE) for scoped reads.
DO $$ BEGIN
  EXECUTE format('GRANT xuncha_unit_reader, xuncha_informant_reader TO %I', current_user);
EXCEPTION WHEN others THEN NULL;
END $$;
