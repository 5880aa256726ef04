-- Issue 21: what was resolved, for funders. One row per resolved post (a re-delivered
-- PostResolved changes nothing); published only as counts of 5 or more per day,
-- category, kind and area (ADR 0022). No member id is kept.
CREATE TABLE IF NOT EXISTS resolutions (
    post_id   text PRIMARY KEY,
    day       date NOT NULL,
    category  text NOT NULL,
    kind      text NOT NULL,
    area      text NOT NULL,
    lat       double precision NOT NULL,
    lon       double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS resolutions_day ON resolutions (day);
