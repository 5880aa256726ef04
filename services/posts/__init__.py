"""Posts service (issue 3): accounts, posts, replies, feed, transactional outbox."""
