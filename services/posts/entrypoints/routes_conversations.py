"""Private conversations, and blocking (docs/protocol.md for the live side)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.posts.entrypoints.deps import ConversationsDep, Member, PathId
from services.posts.entrypoints.schemas import (
    AuthorPublic,
    ConversationPage,
    ConversationPublic,
    ConversationReport,
    MessageCreate,
    MessagePage,
    MessagePublic,
    ReadRequest,
    ReportRequest,
)
from shared.runtime.schemas import ErrorBody

router = APIRouter(tags=["conversations"])
Conversations = ConversationsDep
Cursor = Annotated[str | None, Query(max_length=128)]

NEEDS_TOKEN = {401: {"model": ErrorBody, "description": "No valid access token"}}
NOT_FOUND = {404: {"model": ErrorBody, "description": "No such conversation (or not yours)"}}
BLOCKED = {403: {"model": ErrorBody, "description": "One of you blocked the other (`blocked`)"}}
LIMITED = {429: {"model": ErrorBody, "description": "Rate limit; see Retry-After"}}
BAD_FIELD = {422: {"description": "A field is invalid; `detail` names it"}}


@router.post(
    "/posts/{post_id}/conversations",
    response_model=ConversationPublic,
    status_code=201,
    responses={200: {"model": ConversationPublic, "description": "The one you already have"},
               **NEEDS_TOKEN, **BLOCKED, **BAD_FIELD,
               404: {"model": ErrorBody, "description": "No such post"}},
)  # fmt: skip
async def contact(
    post_id: PathId, member: Member, conversations: Conversations, response: Response
) -> dict:
    """Contact the post's author privately: one conversation per post and member (the
    author may hold many). Neither e-mail nor phone is ever shown to the other."""
    view, created = await conversations.contact(member, post_id)
    response.status_code = 201 if created else 200
    return view


@router.get("/me/conversations", response_model=ConversationPage, responses=NEEDS_TOKEN)
async def my_conversations(
    member: Member,
    conversations: Conversations,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:
    """The member's conversations, the one with the latest message first."""
    return await conversations.conversations(member, cursor, limit)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationPublic,
    responses={**NEEDS_TOKEN, **NOT_FOUND},
)
async def conversation(
    conversation_id: PathId, member: Member, conversations: Conversations
) -> dict:
    return await conversations.conversation(member, conversation_id)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePage,
    responses={**NEEDS_TOKEN, **NOT_FOUND},
)
async def messages(
    conversation_id: PathId,
    member: Member,
    conversations: Conversations,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    """The latest messages, oldest first; ``next_cursor`` pages to older ones."""
    return await conversations.messages(member, conversation_id, cursor, limit)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePublic,
    status_code=201,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **BLOCKED, **LIMITED, **BAD_FIELD},
)
async def send(
    conversation_id: PathId, body: MessageCreate, member: Member, conversations: Conversations
) -> dict:
    """A message (plain text, up to 2,000 characters) to the other member, pushed to
    their `conversations` channel (`org.entraide.conversation.message-sent.v1`)."""
    return await conversations.send(member, conversation_id, body.body)


@router.post(
    "/conversations/{conversation_id}/read",
    status_code=204,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **BAD_FIELD},
)
async def read(
    conversation_id: PathId, body: ReadRequest, member: Member, conversations: Conversations
) -> Response:
    """Read up to a message (by default the latest): the other member sees it."""
    await conversations.read(member, conversation_id, body.up_to)
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/reports",
    status_code=204,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **LIMITED, **BAD_FIELD,
               409: {"model": ErrorBody, "description": "Already reported"}},
)  # fmt: skip
async def report(
    conversation_id: PathId, body: ConversationReport, member: Member, conversations: Conversations
) -> Response:
    """Report the conversation, or one message of it, to the moderators."""
    await conversations.report(member, conversation_id, body.message_id, body.reason)
    return Response(status_code=204)


@router.post(
    "/members/{member_id}/reports",
    status_code=204,
    responses={**NEEDS_TOKEN, **NOT_FOUND, **LIMITED, **BAD_FIELD,
               409: {"model": ErrorBody, "description": "Already reported"}},
)  # fmt: skip
async def report_member(
    member_id: PathId, body: ReportRequest, member: Member, conversations: Conversations
) -> Response:
    """Report a member to the moderators (their behaviour, their profile)."""
    await conversations.report_member(member, member_id, body.reason)
    return Response(status_code=204)


@router.get("/me/blocks", response_model=list[AuthorPublic], responses=NEEDS_TOKEN)
async def blocked(member: Member, conversations: Conversations) -> list[dict]:
    """The members I blocked."""
    return await conversations.blocked(member)


@router.put(
    "/me/blocks/{member_id}",
    status_code=204,
    responses={**NEEDS_TOKEN, **BAD_FIELD,
               404: {"model": ErrorBody, "description": "No such member"}},
)  # fmt: skip
async def block(member_id: PathId, member: Member, conversations: Conversations) -> Response:
    """Block a member: no more messages either way, and their posts leave my feed."""
    await conversations.block(member, member_id)
    return Response(status_code=204)


@router.delete("/me/blocks/{member_id}", status_code=204, responses=NEEDS_TOKEN)
async def unblock(member_id: PathId, member: Member, conversations: Conversations) -> Response:
    await conversations.unblock(member, member_id)
    return Response(status_code=204)
