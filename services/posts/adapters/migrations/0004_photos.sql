-- A post's photos (issue 20): their ids (SHA-256 of the re-encoded image), in order.
-- The images themselves are files (adapters/photo_files.py), not rows.

ALTER TABLE posts ADD COLUMN photos text[] NOT NULL DEFAULT '{}';
