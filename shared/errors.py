"""API errors shared by the services, each with its HTTP status and stable code."""

from shared.web import ApiError


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
