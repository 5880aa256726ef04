-- Private conversations (issue 20): one per post and member who contacted its author;
-- their messages; who blocked whom; reports of a conversation or one of its messages.

CREATE TABLE conversations (
    id                  text PRIMARY KEY,
    post_id             text NOT NULL REFERENCES posts (id),
    author_id           text NOT NULL REFERENCES accounts (id),
    member_id           text NOT NULL REFERENCES accounts (id),
    started_at          timestamptz NOT NULL,
    last_message_at     timestamptz NOT NULL,
    meeting_noted       boolean NOT NULL DEFAULT false,
    -- The last message each has read (ULIDs sort by time).
    author_read_up_to   text,
    member_read_up_to   text,
    UNIQUE (post_id, member_id)
);
-- "My conversations, newest first", on either side.
CREATE INDEX conversations_by_author ON conversations (author_id, last_message_at DESC, id);
CREATE INDEX conversations_by_member ON conversations (member_id, last_message_at DESC, id);

CREATE TABLE messages (
    id              text PRIMARY KEY,         -- a ULID: ordering by id is ordering by time
    conversation_id text NOT NULL REFERENCES conversations (id),
    sender_id       text NOT NULL REFERENCES accounts (id),
    body            text NOT NULL,
    sent_at         timestamptz NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

CREATE TABLE blocks (
    blocker_id  text NOT NULL REFERENCES accounts (id),
    blocked_id  text NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id)
);
-- "Has anyone blocked me?" (no more messages either way).
CREATE INDEX blocks_by_blocked ON blocks (blocked_id, blocker_id);

-- For the moderation queue (the trust issue): what was reported, by whom, about whom.
CREATE TABLE conversation_reports (
    conversation_id text NOT NULL REFERENCES conversations (id),
    message_id      text REFERENCES messages (id),
    reporter_id     text NOT NULL REFERENCES accounts (id),
    reported_id     text NOT NULL REFERENCES accounts (id),
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conversation_reports_once
    ON conversation_reports (conversation_id, reporter_id, coalesce(message_id, ''));
