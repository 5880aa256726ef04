-- Organisations (issue 21): an account applies as one, a moderator verifies it, and a
-- verified badge shows on its profile and its posts.

CREATE TABLE organisations (
    account_id          text PRIMARY KEY REFERENCES accounts (id),
    name                text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('association', 'public_service', 'employer')),
    registration_number text NOT NULL,      -- SIRET, RNA...
    website             text NOT NULL,
    contact             text NOT NULL,
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'verified', 'refused')),
    applied_at          timestamptz NOT NULL DEFAULT now(),
    decided_at          timestamptz
);
