"""What the HTTP APIs' request and response models share: the strict base, the patterns
that keep control characters out, and the error body every service answers with."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# PostgreSQL text cannot hold NUL, and control characters have no place in a post:
# refuse them at the edge (422) rather than fail in the database (500). Multi-line text
# (a post's body) keeps tabs and line breaks; a single line (a time zone) does not.
PRINTABLE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
PRINTABLE_LINE = r"^[^\x00-\x1f\x7f]*$"
# What a name or a title shows to others must be what it says: no bidi controls (which
# reverse what follows: "moc.elgoog" shown as "google.com"), no zero-width or other
# invisible characters (two names that look the same but differ). Text a member writes
# at length (a post's body) keeps them: some scripts need the joiners.
VISIBLE_LINE = (
    r"^[^\x00-\x1f\x7f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u206f\ufeff]*$"
)


class Strict(BaseModel):
    """A request body: an undeclared field is an error (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable: clients say it in the member's language")
    message: str = Field(description="In English, for API users")
    field: str | None = None
    params: dict[str, str | int] | None = Field(
        default=None, description="What the code's sentence needs (a limit, a count)"
    )


class ErrorBody(BaseModel):
    detail: ErrorDetail


# Responses every route of an HTTP service may give, whatever it does.
COMMON_ERRORS = {
    413: {"model": ErrorBody, "description": "The body is over 64 KiB"},
    503: {"model": ErrorBody, "description": "A dependency is unavailable; see Retry-After"},
}
