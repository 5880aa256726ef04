"""Access tokens: signed with a key id, verifiable with public keys alone, rotatable."""

import time

import jwt
import pytest

from shared.runtime.auth import CLOCK_LEEWAY_S, InvalidTokenError, KeyRing, Role


def test_a_token_verifies_and_carries_the_member_and_role(tmp_path):
    ring = KeyRing(tmp_path)
    ring.ensure()
    token = ring.signer().issue("u1", Role.PARTNER)
    claims = ring.verifier().verify(token)
    assert (claims.member_id, claims.role) == ("u1", Role.PARTNER)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"


def test_after_rotation_new_tokens_use_the_new_key_and_old_ones_still_verify(tmp_path):
    ring = KeyRing(tmp_path)
    ring.ensure()
    old = ring.signer().issue("u1", Role.MEMBER)
    new_kid = ring.rotate()
    new = ring.signer().issue("u1", Role.MEMBER)
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    verifier = ring.verifier()
    assert verifier.verify(old).member_id == verifier.verify(new).member_id == "u1"
    (tmp_path / f"{jwt.get_unverified_header(old)['kid']}.pem").unlink()
    with pytest.raises(InvalidTokenError, match="unknown key id"):
        ring.verifier().verify(old)


def test_expired_forged_and_foreign_tokens_are_refused(tmp_path):
    ring, other = KeyRing(tmp_path / "a"), KeyRing(tmp_path / "b")
    ring.ensure()
    other.ensure()
    verifier = ring.verifier()
    expired = ring.signer().issue("u1", Role.MEMBER, ttl_s=-60)
    with pytest.raises(InvalidTokenError, match="expired"):
        verifier.verify(expired)
    with pytest.raises(InvalidTokenError):
        verifier.verify(other.signer().issue("u1", Role.MEMBER))
    header, payload, signature = ring.signer().issue("u1", Role.MEMBER).split(".")
    elevated = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"member"', b'"moderator"')
    ).decode()
    with pytest.raises(InvalidTokenError):
        verifier.verify(f"{header}.{elevated}.{signature}")
    unsigned = jwt.encode({"sub": "u1", "role": "moderator", "exp": time.time() + 60}, None,
                          algorithm="none")  # fmt: skip
    with pytest.raises(InvalidTokenError):
        verifier.verify(unsigned)
    with pytest.raises(InvalidTokenError):
        verifier.verify("not a token")


def test_a_token_checked_before_is_still_refused_once_it_expires(tmp_path, monkeypatch):
    ring = KeyRing(tmp_path)
    ring.ensure()
    verifier = ring.verifier()
    token = ring.signer().issue("u1", Role.MEMBER, ttl_s=60)
    assert verifier.verify(token).member_id == "u1"  # checked, and kept
    assert verifier.verify(token).member_id == "u1"  # from what was kept
    later = time.time() + 60 + CLOCK_LEEWAY_S + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidTokenError, match="expired"):
        verifier.verify(token)


def test_a_refused_token_is_refused_every_time(tmp_path):
    ring, other = KeyRing(tmp_path / "a"), KeyRing(tmp_path / "b")
    ring.ensure()
    other.ensure()
    verifier = ring.verifier()
    foreign = other.signer().issue("u1", Role.MEMBER)
    for _ in range(2):
        with pytest.raises(InvalidTokenError):
            verifier.verify(foreign)
