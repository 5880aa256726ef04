-- Issue 21: a member can be reported, not only a post or a message (journey 6). One
-- report per reporter and member until a moderator decides about the member; the queue
-- shows the reports made since the last decision about them.
CREATE TABLE member_reports (
    member_id   text NOT NULL REFERENCES accounts (id),
    reporter_id text NOT NULL REFERENCES accounts (id),
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, reporter_id)
);
