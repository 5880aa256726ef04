"""Access tokens: signed by posts, verified by every service without calling posts.

Ed25519 (JWT ``EdDSA``): only posts holds a private key, so a service that can verify
tokens cannot mint them (a shared HMAC secret would let it). Each key has a key id
(``kid``) in the token header: to rotate, add a new key (it signs from then on) and
remove the old one once the tokens it signed have expired.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from ulid import ULID

from shared.contract.identity import Claims, Role

TOKEN_ISSUER = "entraide"
TOKEN_AUDIENCE = "entraide"
ACCESS_TOKEN_TTL_S = 15 * 60
CLOCK_LEEWAY_S = 10
# Tokens whose signature was checked, per verifier. An Ed25519 check cost the posts API
# ~190 us of CPU per request, about a tenth of a new post (bench/ingest), and a member
# sends many requests with one token. Expiry is still checked on every use.
VERIFIED_TOKENS_KEPT = 10_000


class InvalidTokenError(Exception):
    pass


class KeyRing:
    """The signing keys in a folder: ``<kid>.pem`` private keys; the newest kid signs.

    Kids are ULIDs, so "newest" is simply the largest name.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def ensure(self) -> None:
        if not any(self.folder.glob("*.pem")):
            self.rotate()

    def rotate(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        kid = str(ULID())
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = self.folder / f"{kid}.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
        return kid

    def private_keys(self) -> dict[str, Ed25519PrivateKey]:
        keys = {}
        for path in sorted(self.folder.glob("*.pem")):
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey), f"{path} is not an Ed25519 key"
            keys[path.stem] = key
        return keys

    def signer(self) -> TokenSigner:
        keys = self.private_keys()
        if not keys:
            raise FileNotFoundError(f"no signing key in {self.folder}")
        kid = max(keys)
        return TokenSigner(kid, keys[kid])

    def verifier(self) -> TokenVerifier:
        return TokenVerifier({kid: k.public_key() for kid, k in self.private_keys().items()})


class TokenSigner:
    def __init__(self, kid: str, key: Ed25519PrivateKey) -> None:
        self.kid = kid
        self._key = key

    def issue(
        self, member_id: str, role: Role, ttl_s: int = ACCESS_TOKEN_TTL_S, name: str = ""
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": member_id,
            "role": role.value,
            "name": name,
            "iat": now,
            "exp": now + ttl_s,
            "iss": TOKEN_ISSUER,
            "aud": TOKEN_AUDIENCE,
        }
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": self.kid})


class TokenVerifier:
    def __init__(self, public_keys: dict[str, Ed25519PublicKey]) -> None:
        self._keys = public_keys
        # Per instance: a verifier with other keys (a rotation) starts with no cache.
        self._checked = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._check)

    def verify(self, token: str) -> Claims:
        claims = self._checked(token)  # raises, and caches nothing, when invalid
        if time.time() > claims.expires_at + CLOCK_LEEWAY_S:
            raise InvalidTokenError("Signature has expired")
        return claims

    def _check(self, token: str) -> Claims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid or "")
            if key is None:
                raise InvalidTokenError("unknown key id")
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=TOKEN_AUDIENCE,
                issuer=TOKEN_ISSUER,
                leeway=CLOCK_LEEWAY_S,
                options={"require": ["exp", "sub", "iat"]},
            )
            return Claims(
                claims["sub"], Role(claims["role"]), claims["exp"], str(claims.get("name", ""))
            )
        except InvalidTokenError:
            raise
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise InvalidTokenError(str(exc)) from exc
