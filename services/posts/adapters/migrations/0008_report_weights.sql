-- Reports weigh by their reporter's standing, and one address counts once (issue 21);
-- appeals of a moderator's decision by the post's author.

ALTER TABLE posts ADD COLUMN report_weight real NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN weight real NOT NULL DEFAULT 1;

CREATE TABLE appeals (
    post_id     text NOT NULL REFERENCES posts (id),
    -- The decision appealed: a moderator's, or none (hidden by reports).
    decision_id bigint REFERENCES moderation_log (id),
    author_id   text NOT NULL REFERENCES accounts (id),
    text        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- One appeal per decision.
CREATE UNIQUE INDEX appeals_once ON appeals (post_id, coalesce(decision_id, 0));
