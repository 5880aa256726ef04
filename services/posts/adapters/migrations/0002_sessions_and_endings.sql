-- Sessions that last: rotating refresh tokens, stored hashed (docs/adr/0016); who
-- helped, when a post is resolved; and the author's own end of a post, "withdrawn".

CREATE TABLE refresh_tokens (
    token_hash   text PRIMARY KEY,           -- SHA-256 of the token: never the token
    family_id    text NOT NULL,              -- one per log-in; revoked as a whole
    account_id   text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,                -- exchanged: a second use revokes the family
    revoked_at   timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

ALTER TABLE posts ADD COLUMN helped_by text[] NOT NULL DEFAULT '{}';

-- A member's own posts, newest first, in every status.
CREATE INDEX posts_author ON posts (author_id, id DESC);
