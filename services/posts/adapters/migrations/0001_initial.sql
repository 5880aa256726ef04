-- Accounts, posts, replies, reports and the transactional outbox.

CREATE TABLE accounts (
    id              text PRIMARY KEY,
    email           text NOT NULL,
    password_hash   text NOT NULL,
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('member', 'partner', 'moderator')),
    languages       text[] NOT NULL DEFAULT '{}',
    interests       text[] NOT NULL DEFAULT '{}',
    home_lat        double precision,
    home_lon        double precision,
    alert_radius_m  integer NOT NULL DEFAULT 1000,
    urgent_alerts_consent boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));

CREATE TABLE posts (
    id            text PRIMARY KEY,          -- a ULID: ordering by id is ordering by creation
    author_id     text NOT NULL REFERENCES accounts (id),
    kind          text NOT NULL,
    category      text NOT NULL,
    title         text NOT NULL,
    body          text NOT NULL,
    language      text NOT NULL,
    lat           double precision NOT NULL, -- exact point: never in a public view
    lon           double precision NOT NULL,
    cell_lat      double precision NOT NULL, -- centre of the ~1 km cell: the public location
    cell_lon      double precision NOT NULL,
    radius_m      integer NOT NULL,
    urgency       text NOT NULL,
    status        text NOT NULL,
    outcome       text,
    report_count  integer NOT NULL DEFAULT 0,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    search        tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED
);
CREATE INDEX posts_feed ON posts (status, id DESC);
CREATE INDEX posts_category_feed ON posts (category, status, id DESC);
CREATE INDEX posts_cell ON posts (cell_lat, cell_lon);
CREATE INDEX posts_search ON posts USING gin (search);
CREATE INDEX posts_due ON posts (expires_at) WHERE status IN ('open', 'matched');

CREATE TABLE replies (
    id          text PRIMARY KEY,
    post_id     text NOT NULL REFERENCES posts (id),
    author_id   text NOT NULL REFERENCES accounts (id),
    intent      text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX replies_thread ON replies (post_id, id);

CREATE TABLE reports (
    post_id     text NOT NULL REFERENCES posts (id),
    reporter_id text NOT NULL REFERENCES accounts (id),
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, reporter_id)
);

-- The outbox: written in the same transaction as the change it describes.
-- lane = a hash of the key: one relay at a time owns a lane (advisory lock), so the
-- events of one post are published in id order even with several relays running.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      text NOT NULL UNIQUE,
    topic         text NOT NULL,
    key           text NOT NULL,
    lane          smallint NOT NULL,
    value         bytea NOT NULL,
    traceparent   text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at  timestamptz
);
CREATE INDEX outbox_pending ON outbox (lane, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wake the relays at commit instead of polling on a timer.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('entraide_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
