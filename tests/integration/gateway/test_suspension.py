"""A moderator suspends a member: across the real servers, their tokens stop working at
once in every service (posts, notifications: 401 `suspended`), their open socket closes
with 4003 and a new one is refused, they cannot log in or renew a session; reinstated,
they log in again. Every decision is in the audit log; only moderators decide."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from ops.roles import grant
from shared.contract import events as E
from shared.contract.catalogue import MEMBER_STATUS
from shared.contract.identity import Role
from tests.integration.kafka_tools import eventually
from tests.integration.posts.conftest import PASSWORD


async def test_a_suspension_stops_every_token_and_socket_at_once(
    notifications_schema, make_posts, gateways, make_notifications
):
    posts = await make_posts()
    # Its own Redis prefix, as in production (the set of suspended members is shared).
    inbox = await make_notifications(
        postgres_schema=notifications_schema, redis_prefix=f"{posts.settings.redis_prefix}:n"
    )
    gateway = await gateways.start()
    c = posts.client
    sam, moderator = await posts.member("sam"), await posts.moderator()
    socket = await gateways.socket(gateway, sam.token)
    await socket.subscribe("notifications")
    sam_inbox = {"Authorization": f"Bearer {sam.token}"}
    assert (await inbox.client.get("/v1/inbox", headers=sam_inbox)).status_code == 200

    # Only a moderator decides, and with a reason.
    refused = await c.post(f"/members/{sam.id}/suspension", json={"reason": "spam"},
                           headers=sam.auth)  # fmt: skip
    assert refused.status_code == 403
    no_reason = await c.post(f"/members/{sam.id}/suspension", json={}, headers=moderator.auth)
    assert no_reason.status_code == 422
    why = {"reason": "asks members for money"}
    suspended = await c.post(f"/members/{sam.id}/suspension", json=why, headers=moderator.auth)
    assert suspended.status_code == 204, suspended.text

    # His open socket closes with 4003; a new one is refused.
    await socket.wait_for(lambda s: s.closed_with is not None, what="the socket closed")
    assert socket.closed_with == 4003
    with pytest.raises(InvalidStatus) as again:
        await gateways.socket(gateway, sam.token)
    assert again.value.response.status_code == 403
    # His (unexpired) token is refused by every service at once.
    for response in (
        await c.post("/posts", json={"title": "x"}, headers=sam.auth),
        await c.get("/me", headers=sam.auth),
        await inbox.client.get("/v1/inbox", headers=sam_inbox),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["detail"]["code"] == "suspended"
    login = await c.post("/auth/login", json={"email": sam.email, "password": PASSWORD})
    assert login.status_code == 403 and login.json()["detail"]["code"] == "suspended"
    twice = await c.post(f"/members/{sam.id}/suspension", json={"reason": "again"},
                         headers=moderator.auth)  # fmt: skip
    assert twice.status_code == 409

    log = (await c.get(f"/moderation/log?subject_id={sam.id}", headers=moderator.auth)).json()
    assert [(d["action"], d["moderator_id"], d["reason"]) for d in log] == [
        ("suspend", moderator.id, "asks members for money")
    ]
    assert (await c.get("/moderation/log", headers=sam.auth)).status_code == 401

    # Reinstated: he logs in again, and connects.
    back = await c.post(f"/members/{sam.id}/reinstatement", json={"reason": "appeal upheld"},
                        headers=moderator.auth)  # fmt: skip
    assert back.status_code == 204
    login = await c.post("/auth/login", json={"email": sam.email, "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["access_token"]
    assert (await c.get("/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    events = await posts.events(MEMBER_STATUS.name, 2)
    assert [type(d.event) for d in events] == [E.MemberSuspended, E.MemberReinstated]

    async def reconnects() -> bool:
        try:
            await (await gateways.socket(gateway, token)).close()
        except InvalidStatus:
            return False
        return True

    await eventually(reconnects, 10, "a socket once reinstated")


async def test_roles_are_granted_by_moderators_and_the_operator_command(make_posts):
    posts = await make_posts()
    c = posts.client
    lea, sam = await posts.member("lea"), await posts.member("sam")
    # The operator makes the first moderator.
    await grant(posts.settings, lea.email, Role.MODERATOR, "first moderator")
    login = await c.post("/auth/login", json={"email": lea.email, "password": PASSWORD})
    assert login.json()["account"]["role"] == "moderator"
    lea_now = {"Authorization": f"Bearer {login.json()['access_token']}"}
    change = {"role": "moderator", "reason": "trusted helper"}
    granted = await c.put(f"/members/{sam.id}/role", json=change, headers=lea_now)
    assert granted.status_code == 204
    own = await c.put(f"/members/{lea.id}/role", json={"role": "member", "reason": "tired"},
                      headers=lea_now)  # fmt: skip
    assert own.status_code == 422  # another moderator decides about her role
    log = (await c.get("/moderation/log", headers=lea_now)).json()
    assert [(d["moderator_id"], d["detail"]) for d in log] == [
        (lea.id, "moderator"), ("operator", "moderator")
    ]  # fmt: skip
    # Powers follow the database at once: Sam acts with the token he had as a member,
    # and Lea, withdrawn, can do nothing more with the moderator's token she holds.
    demote = {"role": "member", "reason": "stepped down"}
    demoted = await c.put(f"/members/{lea.id}/role", json=demote, headers=sam.auth)
    assert demoted.status_code == 204
    back = {"role": "moderator", "reason": "back"}
    refused = await c.put(f"/members/{sam.id}/role", json=back, headers=lea_now)
    assert refused.status_code == 403
    assert (await c.get("/moderation/log", headers=lea_now)).status_code == 403
