-- The notice relay (src/relay, 通知中继): every message it has handed to the organisation's mail
-- relay, by Message-ID and envelope recipients. A worker killed after the relay accepted a notice
-- but before the worker marked it sent retries the send; the relay finds the row and answers 250
-- without forwarding again. A row is committed only once the upstream relay has accepted the
-- message (the forward runs inside the row's transaction), so a failed forward leaves nothing.
-- Transport state, not ledger: the notice itself (and its audit entry) lives in `notices`.
CREATE TABLE relay_messages (
  message_id text NOT NULL,
  recipients text NOT NULL,
  forwarded_at timestamptz NOT NULL DEFAULT now(),
  upstream_response text,
  duplicates_refused int NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, recipients)
);
CREATE INDEX relay_messages_forwarded_at ON relay_messages (forwarded_at);
