"""The Post aggregate: its states, who may change them, and the events each change records.

open --edit--> open
open --resolve--> resolved        (author or moderator; the author says who helped)
open --withdraw--> withdrawn      (the author takes it down)
open --expire--> expired          (the clock)
open/resolved/expired/withdrawn --remove--> removed   (moderator, or enough reports)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound
from shared.contract.events import (
    MAX_PHOTOS,
    Event,
    PostCreated,
    PostExpired,
    PostRemoved,
    PostResolved,
    PostRestored,
    PostUpdated,
    PostWithdrawn,
    PublicPost,
    ReplyAnswered,
    ReplyCreated,
    UrgentRequestPlaced,
)
from shared.contract.geo import ALERTABLE_MAX_LAT_DEG
from shared.contract.identity import Role
from shared.contract.values import (
    Category,
    FuzzedLocation,
    Kind,
    OfferAnswer,
    Outcome,
    Point,
    ReplyIntent,
    Urgency,
)

URGENT_DEFAULT_TTL = timedelta(hours=6)
URGENT_MAX_TTL = timedelta(hours=24)
NORMAL_DEFAULT_TTL = timedelta(weeks=4)
NORMAL_MAX_TTL = timedelta(weeks=12)
MIN_TTL = timedelta(minutes=15)
# Who helped: chosen among the members who replied, a handful at most.
MAX_HELPERS = 10


class PostStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    RESOLVED = "resolved"
    EXPIRED = "expired"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"


LIVE_STATUSES = (PostStatus.OPEN, PostStatus.MATCHED)


@dataclass(frozen=True)
class OfferFacts:
    """What an answer to an offer needs to know of the reply."""

    reply_id: str
    post_id: str
    intent: ReplyIntent
    answer: OfferAnswer | None


@dataclass(kw_only=True)
class Authored:
    """What the author writes, and the post keeps as written (some of it editable)."""

    kind: Kind
    category: Category
    title: str
    body: str
    language: str
    point: Point
    radius_m: int
    urgency: Urgency = Urgency.NORMAL
    # A verified organisation posting for a person without an account, with that
    # person's consent: their first name or alias (never more).
    on_behalf_of: str | None = None


AUTHORED_FIELDS = tuple(f.name for f in fields(Authored))


@dataclass(kw_only=True)
class PostDraft(Authored):
    """What the author writes. Validated for shape by the entrypoint's model."""

    expires_at: datetime | None = None  # None: the default for its urgency


@dataclass(kw_only=True)
class Post(Authored):
    id: str
    author_id: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    status: PostStatus = PostStatus.OPEN
    outcome: Outcome | None = None
    helped_by: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)  # photo ids, in the author's order
    report_count: int = 0
    # The reports' weight, by each reporter's standing (domain/moderation.py): the post
    # is hidden when it reaches the threshold, not at a count of accounts.
    report_weight: float = 0.0
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(
        cls, post_id: str, author_id: str, draft: PostDraft, now: datetime, author_name: str = ""
    ) -> Post:
        if draft.urgency is Urgency.URGENT and draft.kind is not Kind.REQUEST:
            raise Invalid(
                "only a request can be urgent", field="urgency", code="urgent_request_only"
            )
        if draft.urgency is Urgency.URGENT:
            _require_alertable(draft.point)
        post = cls(
            **{name: getattr(draft, name) for name in AUTHORED_FIELDS},
            id=post_id,
            author_id=author_id,
            expires_at=_expiry(draft.urgency, draft.expires_at, now),
            created_at=now,
            updated_at=now,
        )
        post.events.append(PostCreated(post_id=post.id, post=post.public(author_name)))
        if post.urgency is Urgency.URGENT:
            post.events.append(
                UrgentRequestPlaced(
                    post_id=post.id,
                    author_id=author_id,
                    category=post.category,
                    point=post.point,
                    expires_at=post.expires_at,
                    placed_at=now,
                )
            )
        return post

    @property
    def location(self) -> FuzzedLocation:
        return FuzzedLocation.of(self.point)

    def public(self, author_name: str = "") -> PublicPost:
        """``author_name`` as the event should show it ("": not known here)."""
        return PublicPost(
            post_id=self.id,
            author_id=self.author_id,
            kind=self.kind,
            category=self.category,
            title=self.title,
            body=self.body,
            language=self.language,
            location=self.location,
            radius_m=self.radius_m,
            urgency=self.urgency,
            expires_at=self.expires_at,
            created_at=self.created_at,
            updated_at=self.updated_at,
            author_name=author_name or None,
            photos=tuple(self.photos),
            on_behalf_of=self.on_behalf_of,
        )

    def edit(self, editor_id: str, changes: dict, now: datetime, editor_name: str = "") -> None:
        """Change the text, category, place or expiry. Kind and urgency are fixed:
        changing them would change who was alerted and what was matched."""
        if editor_id != self.author_id:
            raise Forbidden("only the author can edit a post")
        self._require_live("edit")
        allowed = {"category", "title", "body", "language", "point", "radius_m", "expires_at"}
        unknown = set(changes) - allowed
        if unknown:
            raise Invalid(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
        if not changes:
            raise Invalid("nothing to change", field="body")
        if "expires_at" in changes:
            changes["expires_at"] = _expiry(self.urgency, changes["expires_at"], now)
        if "point" in changes and self.urgency is Urgency.URGENT:
            _require_alertable(changes["point"])
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = now
        self.events.append(PostUpdated(post_id=self.id, post=self.public(editor_name)))

    def add_photo(
        self, editor_id: str, photo_id: str, now: datetime, editor_name: str = ""
    ) -> None:
        if photo_id in self.photos and editor_id == self.author_id:
            return  # the same image again: nothing new
        self.require_room_for_a_photo(editor_id)
        self.photos = [*self.photos, photo_id]
        self.updated_at = now
        self.events.append(PostUpdated(post_id=self.id, post=self.public(editor_name)))

    def require_room_for_a_photo(self, editor_id: str) -> None:
        if editor_id != self.author_id:
            raise Forbidden("only the author adds photos to a post")
        self._require_live("add a photo to")
        if len(self.photos) >= MAX_PHOTOS:
            raise Conflict(f"at most {MAX_PHOTOS} photos a post", field="file",
                           code="too_many_photos", params={"n": MAX_PHOTOS})  # fmt: skip

    def remove_photo(
        self, editor_id: str, photo_id: str, now: datetime, editor_name: str = ""
    ) -> None:
        if editor_id != self.author_id:
            raise Forbidden("only the author removes a post's photos")
        self._require_live("remove a photo from")
        if photo_id not in self.photos:
            raise NotFound("no such photo on this post", field="photo_id")
        self.photos = [p for p in self.photos if p != photo_id]
        self.updated_at = now
        self.events.append(PostUpdated(post_id=self.id, post=self.public(editor_name)))

    def resolve(
        self,
        by_id: str,
        by_role: Role,
        outcome: Outcome,
        now: datetime,
        helped_by: Sequence[str] = (),
        repliers: Collection[str] = (),
    ) -> None:
        """``helped_by``: who helped, each one of ``repliers`` (who replied to it)."""
        if by_id != self.author_id and by_role is not Role.MODERATOR:
            raise Forbidden("only the author or a moderator can resolve a post")
        self._require_live("resolve")
        helpers = list(dict.fromkeys(helped_by))
        if helpers and outcome is not Outcome.HELPED:
            raise Invalid("helped_by goes with the outcome 'helped'", field="helped_by")
        if len(helpers) > MAX_HELPERS:
            raise Invalid(f"at most {MAX_HELPERS} helpers", field="helped_by")
        strangers = [h for h in helpers if h not in repliers or h == self.author_id]
        if strangers:
            raise Invalid(
                "helped_by names members who did not reply", field="helped_by", code="not_a_replier"
            )
        self.status = PostStatus.RESOLVED
        self.outcome = outcome
        self.helped_by = helpers
        self.updated_at = now
        self.events.append(
            PostResolved(
                post_id=self.id, outcome=outcome, resolved_at=now, helped_by=tuple(helpers)
            )
        )

    def withdraw(self, by_id: str, now: datetime) -> None:
        """The author takes the post down: it leaves the feed, its alert and its matches
        end. Not a removal: nothing was wrong with it."""
        if by_id != self.author_id:
            raise Forbidden("only the author can withdraw a post")
        self._require_live("withdraw")
        self.status = PostStatus.WITHDRAWN
        self.updated_at = now
        self.events.append(PostWithdrawn(post_id=self.id, withdrawn_at=now))

    def expire(self, now: datetime) -> None:
        if self.status not in LIVE_STATUSES or self.expires_at > now:
            return
        self.status = PostStatus.EXPIRED
        self.updated_at = now
        self.events.append(PostExpired(post_id=self.id, expired_at=now))

    def report(self, reporter_id: str, weight: float, hide_threshold: float, now: datetime) -> None:
        """One more distinct report (the store refuses a second by the same member),
        weighing what its reporter's standing weighs."""
        if reporter_id == self.author_id:
            raise Invalid("you cannot report your own post", field="post_id")
        if self.status is PostStatus.REMOVED:
            raise Conflict("the post was already removed")
        self.report_count += 1
        self.report_weight += weight
        # Reports never hide an urgent request while its alert lives: three accounts
        # could otherwise end a search for a lost child. They wait for a moderator.
        if self.report_weight >= hide_threshold and not self.alert_lives(now):
            self._remove("reports", now)

    def dismiss_reports(self) -> None:
        """A moderator found nothing wrong: the reports so far are spent (a later one
        starts from nothing, not from just under the threshold)."""
        self.report_count, self.report_weight = 0, 0.0

    def restore(self, by_role: Role, now: datetime, author_name: str = "") -> None:
        """A moderator brings a removed post back (open, or expired if its time passed);
        the reports so far are spent."""
        if by_role is not Role.MODERATOR:
            raise Forbidden("only a moderator can restore a post")
        if self.status is not PostStatus.REMOVED:
            raise Conflict("only a removed post can be restored", code="unchanged")
        self.status = PostStatus.OPEN if self.expires_at > now else PostStatus.EXPIRED
        self.report_count, self.report_weight = 0, 0.0
        self.updated_at = now
        self.events.append(PostRestored(post_id=self.id, post=self.public(author_name),
                                        restored_at=now))  # fmt: skip

    def alert_lives(self, now: datetime) -> bool:
        """An urgent request's alert lives as long as the request is open and unexpired
        (matching ends it when the post ends, and expires it with the post)."""
        return (self.urgency is Urgency.URGENT and self.status is PostStatus.OPEN
                and self.expires_at > now)  # fmt: skip

    def remove(self, by_role: Role, now: datetime) -> None:
        if by_role is not Role.MODERATOR:
            raise Forbidden("only a moderator can remove a post")
        if self.status is PostStatus.REMOVED:
            raise Conflict("the post was already removed")
        self._remove("moderator", now)

    def reply(
        self,
        reply_id: str,
        author_id: str,
        intent: ReplyIntent,
        body: str,
        now: datetime,
        author_name: str = "",
    ) -> ReplyCreated:
        self._require_live("reply to")
        if intent is ReplyIntent.CAN_HELP and author_id == self.author_id:
            raise Invalid("you cannot offer help on your own post", field="intent")
        event = ReplyCreated(
            reply_id=reply_id,
            post_id=self.id,
            post_author_id=self.author_id,
            author_id=author_id,
            intent=intent,
            body=body,
            created_at=now,
            author_name=author_name or None,
        )
        self.events.append(event)
        return event

    def answer_offer(
        self, member_id: str, offer: OfferFacts, answer: OfferAnswer, now: datetime
    ) -> bool:
        """Record, on the person's word, their answer to an offer made to a request an
        organisation posted for them; False when it was already that answer. The person
        may change their mind: a new answer replaces the last one."""
        if offer.post_id != self.id:
            raise NotFound("no such reply", field="reply_id")
        if member_id != self.author_id:
            raise Forbidden("only the post's author records an answer to an offer",
                            field="post_id")  # fmt: skip
        if self.on_behalf_of is None:
            raise Conflict("only a post made for a person records answers to its offers",
                           field="post_id", code="not_on_behalf")  # fmt: skip
        if offer.intent is not ReplyIntent.CAN_HELP:
            raise Invalid("only an offer of help takes an answer", field="reply_id",
                          code="not_an_offer")  # fmt: skip
        if self.status is PostStatus.REMOVED:
            raise Conflict("cannot answer for a post that is removed")
        if offer.answer is answer:
            return False
        self.events.append(ReplyAnswered(reply_id=offer.reply_id, post_id=self.id,
                                         answer=answer, answered_at=now))  # fmt: skip
        return True

    def _remove(self, reason: str, now: datetime) -> None:
        self.status = PostStatus.REMOVED
        self.updated_at = now
        self.events.append(PostRemoved(post_id=self.id, reason=reason, removed_at=now))

    def _require_live(self, action: str) -> None:
        if self.status not in LIVE_STATUSES:
            raise Conflict(f"cannot {action} a post that is {self.status.value}")


def _require_alertable(point: Point) -> None:
    if abs(point.lat) > ALERTABLE_MAX_LAT_DEG:
        raise Invalid(
            f"an urgent request cannot be alerted beyond {ALERTABLE_MAX_LAT_DEG}° of latitude",
            field="location",
            code="urgent_out_of_range",
        )


def _expiry(urgency: Urgency, requested: datetime | None, now: datetime) -> datetime:
    default, longest = (
        (URGENT_DEFAULT_TTL, URGENT_MAX_TTL)
        if urgency is Urgency.URGENT
        else (NORMAL_DEFAULT_TTL, NORMAL_MAX_TTL)
    )
    if requested is None:
        return now + default
    if requested.tzinfo is None:
        raise Invalid("expires_at needs a time zone", field="expires_at")
    if requested < now + MIN_TTL:
        raise Invalid("expires_at must be at least 15 minutes ahead", field="expires_at")
    if requested > now + longest:
        raise Invalid(f"expires_at is too far: at most {longest} ahead", field="expires_at")
    return requested
