-- Roles granted and suspensions (issue 21), and the audit log of every moderator action.

ALTER TABLE accounts ADD COLUMN suspended_at timestamptz;

CREATE TABLE moderation_log (
    id            bigserial PRIMARY KEY,
    moderator_id  text NOT NULL,           -- an account id, or "operator" (the CLI)
    action        text NOT NULL,           -- grant_role, suspend, reinstate, ...
    subject_id    text NOT NULL,           -- the member (or post, conversation) acted on
    detail        text NOT NULL DEFAULT '',-- the role granted, ...
    reason        text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_log_by_subject ON moderation_log (subject_id, id);
