-- A verified organisation's post for a person without an account (issue 21): that
-- person's first name or alias.
ALTER TABLE posts ADD COLUMN on_behalf_of text;
