-- Private conversations (issue 20): a member's unread message notifications, looked up
-- for each message (one notification per conversation until it is read).
CREATE INDEX notifications_unread_messages ON notifications (member_id)
    WHERE reason = 'message' AND read_at IS NULL;
