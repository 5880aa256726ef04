-- E-mail verification and password reset (issue 21): one-use links, hashed.

ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;

CREATE TABLE mail_tokens (
    token_hash  text PRIMARY KEY,          -- SHA-256 of the token in the link
    account_id  text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX mail_tokens_by_expiry ON mail_tokens (expires_at);
