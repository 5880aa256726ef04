-- Notification titles as a code and its parameters, so that a client says them in the
-- member's language (the English title stays for API users); and the matches each
-- post had, for its author to see with their reasons.
ALTER TABLE notifications
    ADD COLUMN IF NOT EXISTS title_code text,
    ADD COLUMN IF NOT EXISTS title_params jsonb NOT NULL DEFAULT '{}';

-- One row per pair: matched again after an edit, the pair keeps its latest score.
CREATE TABLE IF NOT EXISTS matches (
    request_id         text NOT NULL,
    offer_id           text NOT NULL,
    match_id           text NOT NULL,
    request_author_id  text NOT NULL,
    offer_author_id    text NOT NULL,
    score              double precision NOT NULL,
    reasons            jsonb NOT NULL,
    found_at           timestamptz NOT NULL,
    PRIMARY KEY (request_id, offer_id)
);
CREATE INDEX IF NOT EXISTS matches_offer ON matches (offer_id);
