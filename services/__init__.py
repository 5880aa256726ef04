"""Entraide services: posts, matching, notifications, gateway."""
