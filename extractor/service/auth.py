"""Bearer-token authentication, on only when tokens are configured, and who may read which job.

The token is checked by ``TokenGuard`` (middleware) before anything reads the request body, so a stranger
gets 401 and never a verdict on the body; the routes check it again through ``caller_dependency``, which
declares the scheme in the OpenAPI spec, and ask ``TokenAuth.identify`` who is calling.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from extractor.service.errors import ApiError

bearer_scheme = HTTPBearer(
    auto_error=False, description="a token from EXTRACTOR_API_TOKENS or EXTRACTOR_ADMIN_TOKENS"
)


@dataclass(frozen=True)
class Caller:
    # A digest of the caller's token, recorded on the jobs it creates; None without authentication.
    owner: str | None
    admin: bool

    def may_read(self, job_owner: str | None) -> bool:
        return self.admin or (job_owner is not None and job_owner == self.owner)


# Without authentication there is no one to tell apart: every caller sees every job, as before scoping.
ANONYMOUS = Caller(owner=None, admin=True)


def owner_of(token: bytes) -> str:
    # Jobs record a digest, never the token: a copy of the database must not hand out credentials.
    return hashlib.sha256(token).hexdigest()


class TokenAuth:
    def __init__(self, tokens: Sequence[str], admin_tokens: Sequence[str] = ()) -> None:
        self._accepted = [(t.encode("utf-8"), False) for t in tokens]
        self._accepted += [(t.encode("utf-8"), True) for t in admin_tokens]

    @property
    def enabled(self) -> bool:
        return bool(self._accepted)

    def identify(self, authorization: str | None) -> Caller:
        """The caller presenting this Authorization header; ApiError 401 when it holds no accepted token."""
        if not self.enabled:
            return ANONYMOUS
        challenge = {"WWW-Authenticate": 'Bearer realm="extractor"'}
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            raise ApiError(401, "unauthorized", "missing bearer token", challenge)
        # Header values arrive decoded as latin-1: this gives back the bytes the client sent.
        given = credentials.encode("latin-1", "replace")
        found: Caller | None = None
        # Every token is compared, in constant time, so timing reveals neither a prefix nor which matched.
        for token, admin in self._accepted:
            if hmac.compare_digest(given, token) and (found is None or admin):
                found = Caller(owner=owner_of(token), admin=admin)
        if found is None:
            challenge["WWW-Authenticate"] += ', error="invalid_token"'
            raise ApiError(401, "unauthorized", "invalid bearer token", challenge)
        return found

    def knows(self, authorization: str | None) -> bool:
        """Whether this header authenticates (always, without authentication); never raises."""
        try:
            self.identify(authorization)
        except ApiError:
            return False
        return True


def caller_dependency(auth: TokenAuth) -> Callable[..., Awaitable[Caller]]:
    """A route dependency giving the caller; it declares the bearer scheme only when auth is on."""

    async def anonymous() -> Caller:
        return ANONYMOUS

    async def authenticated(
        request: Request,
        _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ) -> Caller:
        return auth.identify(request.headers.get("authorization"))

    return authenticated if auth.enabled else anonymous
