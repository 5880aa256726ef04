-- Issue 21: a verified organisation that posted for a person records that person's
-- answer to each offer of help (accepted or declined, on their word).
ALTER TABLE replies
    ADD COLUMN answer      text CHECK (answer IN ('accepted', 'declined')),
    ADD COLUMN answered_at timestamptz;
