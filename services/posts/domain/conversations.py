"""A private conversation: a post's author and one member who contacted them about it.

Who may write (the two of them, while neither blocked the other), what a message is
(plain text, trimmed, never empty), when both are shown a safety note (the first message
that arranges a meeting), and read receipts (each member's last message read).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.posts.domain.feed import ULID_CHARS, decode_cursor, encode_cursor
from shared.contract.errors import Forbidden, Invalid, NotFound
from shared.contract.events import ConversationRead, ConversationStarted, Event, MessageSent

MESSAGE_MAX_CHARS = 2000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Closed posts can still be talked about (the helper asks how it went), but not those a
# moderator removed or the author withdrew: nobody sees them any more.
CLOSED_TO_CONTACT = ("removed", "withdrawn")

# Words that arrange a meeting, in French and English, accents folded: a place to meet,
# a time to meet, or the words for meeting itself. A false positive costs one extra
# note; a miss costs the note that matters, so the list leans wide.
_MEETING = re.compile(
    r"\b(rendez[- ]?vous|rdv|retrouv\w*|se voir|on se voit|rejoin\w*|chez moi|chez toi"
    r"|meet\w*|see you|pick (it |them )?up|come (by|over|to)|my place|your place"
    r"|\d{1,2} ?h( ?\d{2})?|\d{1,2}(:\d{2})? ?(am|pm)"
    r"|rue|avenue|boulevard|bd|place|gare|metro|station|street|road)\b"
)


def arranges_meeting(text: str) -> bool:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _MEETING.search(folded) is not None


def clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise Invalid("a message cannot be empty", field="body", code="empty_message")
    if len(text) > MESSAGE_MAX_CHARS:
        raise Invalid(f"a message is at most {MESSAGE_MAX_CHARS} characters", field="body",
                      code="message_too_long", params={"max": MESSAGE_MAX_CHARS})  # fmt: skip
    return text


@dataclass
class Conversation:
    id: str
    post_id: str
    post_title: str
    author_id: str  # the post's
    member_id: str  # who contacted the author
    started_at: datetime
    last_message_at: datetime
    meeting_noted: bool = False
    # The last message each has read (ULIDs: later messages sort after).
    author_read_up_to: str | None = None
    member_read_up_to: str | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def members(self) -> tuple[str, str]:
        return (self.author_id, self.member_id)

    @classmethod
    def start(
        cls,
        conversation_id: str,
        post: PostFacts,
        member_id: str,
        names: tuple[str, str],
        now: datetime,
    ) -> Conversation:
        """``names``: the author's, then the member's."""
        if post.author_id == member_id:
            raise Invalid("this is your own post", field="post_id", code="own_post")
        if post.status in CLOSED_TO_CONTACT:
            raise NotFound("no such post", field="post_id")
        conversation = cls(conversation_id, post.post_id, post.title, post.author_id,
                           member_id, now, now)  # fmt: skip
        started = ConversationStarted(
            conversation_id=conversation_id, post_id=post.post_id, post_title=post.title,
            members=conversation.members, names=names, started_at=now,
        )  # fmt: skip
        conversation.events.append(started)
        return conversation

    def require_member(self, member_id: str) -> None:
        """A third member learns nothing, not even that the conversation exists."""
        if member_id not in self.members:
            raise NotFound("no such conversation", field="conversation_id")

    def other(self, member_id: str) -> str:
        return self.member_id if member_id == self.author_id else self.author_id

    def send(
        self,
        message_id: str,
        sender_id: str,
        sender_name: str,
        body: str,
        now: datetime,
        *,
        blocked: bool,
    ) -> MessageSent:
        self.require_member(sender_id)
        if blocked:
            raise Forbidden("one of you blocked the other: no more messages",
                            field="conversation_id", code="blocked")  # fmt: skip
        text = clean_body(body)
        meeting = not self.meeting_noted and arranges_meeting(text)
        self.meeting_noted |= meeting
        self.last_message_at = now
        sent = MessageSent(
            message_id=message_id, conversation_id=self.id, post_id=self.post_id,
            members=self.members, sender_id=sender_id, sender_name=sender_name, body=text,
            meeting=meeting, sent_at=now,
        )  # fmt: skip
        self.events.append(sent)
        # Writing is reading: the sender has read up to their own message.
        self._mark_read(sender_id, message_id)
        return sent

    def read(self, member_id: str, up_to_message_id: str, now: datetime) -> bool:
        """Mark read up to this message; False (and no event) if it was already."""
        self.require_member(member_id)
        if not self._mark_read(member_id, up_to_message_id):
            return False
        read = ConversationRead(
            conversation_id=self.id, members=self.members, member_id=member_id,
            up_to_message_id=up_to_message_id, read_at=now,
        )  # fmt: skip
        self.events.append(read)
        return True

    def read_up_to(self, member_id: str) -> str | None:
        return self.author_read_up_to if member_id == self.author_id else self.member_read_up_to

    def _mark_read(self, member_id: str, message_id: str) -> bool:
        current = self.read_up_to(member_id)
        if current is not None and current >= message_id:
            return False
        if member_id == self.author_id:
            self.author_read_up_to = message_id
        else:
            self.member_read_up_to = message_id
        return True


@dataclass(frozen=True)
class PostFacts:
    """What starting a conversation needs of the post."""

    post_id: str
    author_id: str
    title: str
    status: str


def encode_list_cursor(last_message_at: datetime, conversation_id: str) -> str:
    """Where a page of "my conversations" ended: the time of its last one, and its id."""
    micros = (last_message_at - EPOCH) // timedelta(microseconds=1)  # exact, unlike floats
    # Padded to a ULID's length, so the feed's cursor encoding carries it as it is.
    return encode_cursor(f"{micros:0{ULID_CHARS}d}") + "." + encode_cursor(conversation_id)


def decode_list_cursor(cursor: str) -> tuple[datetime, str]:
    at, _, conversation_id = cursor.partition(".")
    micros = decode_cursor(at)
    try:
        if not (micros.isascii() and micros.isdecimal()):
            raise ValueError(micros)
        return EPOCH + timedelta(microseconds=int(micros)), decode_cursor(conversation_id)
    except (ValueError, OverflowError) as exc:
        raise Invalid("malformed cursor", field="cursor") from exc
