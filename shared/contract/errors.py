"""The errors a command can end with, each with a stable code (the clients translate it)
and the HTTP status the entrypoints answer with. Pure: no web framework here; the
runtime's HTTP plumbing (``shared.runtime.web``) turns them into responses."""

from __future__ import annotations


class ApiError(Exception):
    """An error with an HTTP status, a stable code, and the field it is about."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        code: str | None = None,
        params: dict[str, str | int] | None = None,
    ) -> None:
        """``code``: a more precise code than the class's (``email_taken`` for a
        conflict); ``params``: what a client needs to say it (a limit, a count)."""
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        self.params = params

    @property
    def headers(self) -> dict[str, str]:
        return {}


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Invalid(ApiError):
    status = 422
    code = "invalid"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(
        self,
        message: str,
        retry_after_s: int,
        field: str | None = None,
        code: str | None = None,
        params: dict[str, str | int] | None = None,
    ) -> None:
        super().__init__(message, field, code, params={**(params or {}), "s": retry_after_s})
        self.retry_after_s = retry_after_s

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}
