"""One valid instance of every event, for round-trip and schema tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.contract import events as m
from shared.contract.values import (
    AlertEndReason,
    Answer,
    Category,
    FuzzedLocation,
    Kind,
    MatchReason,
    OfferAnswer,
    Outcome,
    Point,
    ReplyIntent,
    SearchUpdate,
    Urgency,
)

NOW = datetime(2026, 7, 14, 21, 30, tzinfo=UTC)
FESTIVAL = Point(lat=48.8566, lon=2.3522)


def public_post(post_id: str = "p1", **changes) -> m.PublicPost:
    fields = dict(
        post_id=post_id,
        author_id="u-amine",
        kind=Kind.REQUEST,
        category=Category.FIND_A_PERSON,
        title="Lost my little brother near the main stage",
        body="He is 12, red cap, blue jacket.",
        language="fr",
        location=FuzzedLocation.of(FESTIVAL),
        radius_m=1_000,
        urgency=Urgency.URGENT,
        expires_at=NOW + timedelta(hours=3),
        created_at=NOW,
        updated_at=NOW,
    )
    fields.update(changes)
    return m.PublicPost(**fields)


def sample_events(post_id: str = "p1") -> list[m.Event]:
    alert = dict(alert_id=f"a-{post_id}", post_id=post_id)
    return [
        m.PostCreated(post_id=post_id, post=public_post(post_id)),
        m.PostUpdated(post_id=post_id, post=public_post(post_id, title="Found his cap")),
        m.PostResolved(post_id=post_id, outcome=Outcome.HELPED, resolved_at=NOW),
        m.PostExpired(post_id=post_id, expired_at=NOW),
        m.PostRemoved(post_id=post_id, reason="moderator", removed_at=NOW),
        m.PostWithdrawn(post_id=post_id, withdrawn_at=NOW),
        m.UrgentRequestPlaced(
            post_id=post_id,
            author_id="u-amine",
            category=Category.FIND_A_PERSON,
            point=FESTIVAL,
            expires_at=NOW + timedelta(hours=3),
            placed_at=NOW,
        ),
        m.ReplyCreated(
            reply_id="r1",
            post_id=post_id,
            post_author_id="u-amine",
            author_id="u-lea",
            intent=ReplyIntent.CAN_HELP,
            body="I'm at the stage, I'll look.",
            created_at=NOW,
        ),
        m.ReplyAnswered(reply_id="r1", post_id=post_id, answer=OfferAnswer.ACCEPTED,
                        answered_at=NOW),
        m.MatchFound(
            match_id="m1",
            request_id=post_id,
            offer_id="p2",
            request_author_id="u-amine",
            offer_author_id="u-lea",
            score=0.82,
            found_at=NOW,
            reasons=(MatchReason(factor="category", weight=0.4, detail="same category"),),
        ),
        m.UrgentAlertRaised(
            **alert,
            author_id="u-amine",
            category=Category.FIND_A_PERSON,
            point=FESTIVAL,
            radius_m=200,
            ring=0,
            expires_at=NOW + timedelta(hours=3),
            raised_at=NOW,
        ),
        m.UrgentAlertEscalated(**alert, point=FESTIVAL, radius_m=1_000, ring=1, escalated_at=NOW),
        m.UrgentAlertResolved(**alert, reason=AlertEndReason.RESOLVED, resolved_at=NOW),
        m.AlertReached(**alert, ring=0, member_ids=("u-lea", "u-sam"), reached_at=NOW),
        m.HelperAnswered(
            **alert, member_id="u-lea", name="Léa", answer=Answer.COMING, answered_at=NOW
        ),
        m.HelperReleased(**alert, member_id="u-lea", released_at=NOW),
        m.SearchUpdated(
            **alert,
            member_id="u-amine",
            name="Amine",
            update=SearchUpdate.LAST_SEEN,
            point=FESTIVAL,
            updated_at=NOW,
        ),
        m.NotificationCreated(
            notification_id="n1",
            member_id="u-lea",
            reason="urgent_alert",
            post_id=post_id,
            cause_event_id="01JAAAAAAAAAAAAAAAAAAAAAAA",
            title="Someone near you needs help",
            urgent=True,
            distance_m=140,
            expires_at=NOW + timedelta(hours=3),
            created_at=NOW,
        ),
        m.MemberProfileChanged(
            member_id="u-lea",
            languages=("fr", "en"),
            interests=(Category.FIND_A_PERSON, Category.HOUSING),
            home=FESTIVAL,
            alert_radius_m=2_000,
            urgent_alerts_consent=True,
            changed_at=NOW,
        ),
        m.MemberLocated(member_id="u-lea", point=FESTIVAL, located_at=NOW),
        m.PostRestored(post_id="p1", post=public_post("p1"), restored_at=NOW),
        m.MemberSuspended(member_id="u-sam", suspended_at=NOW),
        m.MemberReinstated(member_id="u-sam", reinstated_at=NOW),
        m.ConversationStarted(
            conversation_id="c1", post_id="p1", post_title="Spare bed tonight",
            members=("u-amine", "u-lea"), names=("Amine", "Léa"), started_at=NOW,
        ),
        m.MessageSent(
            message_id="m1", conversation_id="c1", post_id="p1", members=("u-amine", "u-lea"),
            sender_id="u-lea", sender_name="Léa", body="Rendez-vous à la gare à 18h ?",
            meeting=True, sent_at=NOW,
        ),
        m.ConversationRead(
            conversation_id="c1", members=("u-amine", "u-lea"), member_id="u-amine",
            up_to_message_id="m1", read_at=NOW,
        ),
    ]  # fmt: skip
