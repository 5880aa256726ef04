"""Notifications service (issue 5): recipients, inbox, partner webhooks."""
