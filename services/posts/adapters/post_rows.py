"""How a Post is spelled in the ``posts`` table, derived from the Post dataclass.

Every field of ``Post`` is a column of the same name, its enums stored as their values,
but two: the exact point is ``lat`` and ``lon``, and the public cell's centre is
written beside it (``cell_lat``, ``cell_lon``, read by the feed). ``events`` is not
stored (the outbox holds them). So a new field of a post touches the migration, the
dataclass and the projections that show it, and nothing here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

from services.posts.domain.posts import Post
from shared.contract.values import Point

NOT_STORED = frozenset({"events"})
POINT_FIELD = "point"
POINT_COLUMNS = ("lat", "lon")
CELL_COLUMNS = ("cell_lat", "cell_lon")

_FIELDS = tuple(f for f in dataclasses.fields(Post) if f.name not in NOT_STORED)
_TYPES = typing.get_type_hints(Post)


def _enum_of(hint: Any) -> type[Enum] | None:
    """The enum a field holds (``Outcome | None`` holds Outcome), or None."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return next((o for o in options if isinstance(o, type) and issubclass(o, Enum)), None)


_ENUMS = {f.name: _enum_of(_TYPES[f.name]) for f in _FIELDS}


def _columns() -> tuple[str, ...]:
    columns: list[str] = []
    for f in _FIELDS:
        columns += POINT_COLUMNS if f.name == POINT_FIELD else [f.name]
    return tuple(columns)


# What is read back; what is written also holds the cell.
POST_COLUMNS = _columns()
WRITTEN_COLUMNS = POST_COLUMNS + CELL_COLUMNS
# Set once, by the insert: who wrote it, what it is, how urgent, when (Post.edit keeps
# kind and urgency: changing them would change who was alerted and what was matched).
IMMUTABLE_COLUMNS = frozenset({"id", "author_id", "kind", "urgency", "created_at"})
UPDATED_COLUMNS = tuple(c for c in WRITTEN_COLUMNS if c not in IMMUTABLE_COLUMNS)


def post_values(post: Post) -> dict[str, Any]:
    """The post's row, every column of WRITTEN_COLUMNS."""
    values: dict[str, Any] = {}
    for f in _FIELDS:
        value = getattr(post, f.name)
        if f.name == POINT_FIELD:
            values["lat"], values["lon"] = value.lat, value.lon
        else:
            values[f.name] = value.value if isinstance(value, Enum) else value
    cell = post.location
    values["cell_lat"], values["cell_lon"] = cell.lat, cell.lon
    return values


def post_from_row(row: Mapping[str, Any]) -> Post:
    fields: dict[str, Any] = {}
    for f in _FIELDS:
        if f.name == POINT_FIELD:
            fields[f.name] = Point(lat=row["lat"], lon=row["lon"])
            continue
        value, enum = row[f.name], _ENUMS[f.name]
        fields[f.name] = enum(value) if enum is not None and value is not None else value
    return Post(**fields)
