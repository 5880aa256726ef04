-- A notification's id is fixed by its cause and its member (ADR 0007), so the primary
-- key already refuses a second row for the same (member, cause): the UNIQUE index on
-- that pair was a fifth index written for each of an urgent alert's ~1,000 rows, and
-- never read. The inbox and alert queries use the other indexes.
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_member_id_cause_event_id_key;
