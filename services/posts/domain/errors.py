"""Domain errors, each with the HTTP status an entrypoint maps it to (shared/errors.py)."""

from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "Unauthorized"]
