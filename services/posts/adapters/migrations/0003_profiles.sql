-- Public profiles (issue 20): a short bio; who helped is counted from helped_by.

ALTER TABLE accounts ADD COLUMN bio text NOT NULL DEFAULT '';

-- "How many people has she helped": resolutions that named her.
CREATE INDEX posts_helped_by ON posts USING gin (helped_by);
