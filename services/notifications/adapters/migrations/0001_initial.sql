-- The notifications service's own schema: what it remembers of posts and alerts,
-- thread followers, the inbox, preferences, partner endpoints and their deliveries.

-- The public facts of each post seen on posts.v1 (to name it and route it).
CREATE TABLE posts_seen (
    post_id     text PRIMARY KEY,
    author_id   text NOT NULL,
    title       text NOT NULL,
    category    text NOT NULL,
    kind        text NOT NULL,
    urgent      boolean NOT NULL,
    lat         double precision NOT NULL,   -- the fuzzed (public) location
    lon         double precision NOT NULL
);

CREATE TABLE alerts_seen (
    post_id     text PRIMARY KEY,
    author_id   text NOT NULL,
    category    text NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE TABLE followers (
    post_id     text NOT NULL,
    member_id   text NOT NULL,
    PRIMARY KEY (post_id, member_id)
);

CREATE TABLE notifications (
    id              text PRIMARY KEY,        -- a ULID: ordering by id is ordering by time
    member_id       text NOT NULL,
    cause_event_id  text NOT NULL,
    reason          text NOT NULL,
    post_id         text,
    title           text NOT NULL,
    urgent          boolean NOT NULL DEFAULT false,
    distance_m      integer,
    expires_at      timestamptz,
    held            boolean NOT NULL DEFAULT false,  -- waiting for a digest
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    -- A re-delivered event finds its notifications already there.
    UNIQUE (member_id, cause_event_id)
);
CREATE INDEX notifications_inbox ON notifications (member_id, id DESC);
CREATE INDEX notifications_unread ON notifications (member_id) WHERE read_at IS NULL;
CREATE INDEX notifications_held ON notifications (member_id) WHERE held;
CREATE INDEX notifications_alerted ON notifications (post_id) WHERE reason = 'urgent_alert';

CREATE TABLE preferences (
    member_id    text PRIMARY KEY,
    categories   text[] NOT NULL DEFAULT '{}',
    quiet_start  time,
    quiet_end    time,
    timezone     text NOT NULL DEFAULT 'Europe/Paris',
    daily_cap    integer
);

CREATE TABLE endpoints (
    id               text PRIMARY KEY,
    partner_id       text NOT NULL,
    url              text NOT NULL,
    description      text NOT NULL DEFAULT '',
    secret           text NOT NULL,
    -- After a rotation the old secret also signs, for a grace period, so the partner
    -- can switch without losing a delivery.
    previous_secret  text,
    previous_until   timestamptz,
    categories       text[] NOT NULL DEFAULT '{}',
    kinds            text[] NOT NULL DEFAULT '{}',
    area_lat         double precision,
    area_lon         double precision,
    area_radius_m    integer,
    urgent_only      boolean NOT NULL DEFAULT false,
    enabled          boolean NOT NULL DEFAULT true,
    disabled_reason  text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX endpoints_partner ON endpoints (partner_id);

-- The persistent delivery queue: a row per endpoint and event, kept after delivery
-- so a partner can replay from a cursor (seq).
CREATE TABLE deliveries (
    seq              bigserial PRIMARY KEY,
    endpoint_id      text NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    message_id       text NOT NULL,       -- webhook-id: the event id, the same on every try
    event_type       text NOT NULL,
    payload          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- A sender that claimed the row; past this time another may take it (the first
    -- one crashed).
    leased_until     timestamptz,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (endpoint_id, message_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, seq);
