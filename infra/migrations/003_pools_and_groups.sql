-- 组长库 / 人才库 and the inspection groups formed from them. Nobody is in two groups of a round:
-- the primary key says so, not only the proposal.
ALTER TABLE units ADD COLUMN county text;

CREATE TABLE pool_members (
  person_id        text PRIMARY KEY REFERENCES people(person_id),
  pool             text NOT NULL CHECK (pool IN ('leader', 'talent')),
  expertise        text[] NOT NULL,
  home_county      text NOT NULL,
  current_unit_id  text,
  former_unit_ids  text[] NOT NULL DEFAULT '{}',
  available        boolean NOT NULL DEFAULT true,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pool_relations (
  person_id  text NOT NULL REFERENCES pool_members(person_id),
  unit_id    text NOT NULL,
  relation   text NOT NULL,
  PRIMARY KEY (person_id, unit_id)
);
CREATE TABLE inspection_groups (
  round_id     text NOT NULL,
  group_id     text NOT NULL,
  unit_ids     text[] NOT NULL,
  state        text NOT NULL CHECK (state IN ('proposed', 'accepted')),
  proposal     jsonb NOT NULL,
  accepted_by  text,
  accepted_at  timestamptz,
  PRIMARY KEY (round_id, group_id)
);
CREATE TABLE group_members (
  round_id   text NOT NULL,
  group_id   text NOT NULL,
  person_id  text NOT NULL REFERENCES people(person_id),
  role       text NOT NULL CHECK (role IN ('leader', 'member')),
  reasons    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (round_id, person_id),
  FOREIGN KEY (round_id, group_id) REFERENCES inspection_groups(round_id, group_id)
);
