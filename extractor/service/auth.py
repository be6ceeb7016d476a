"""Bearer-token authentication, on only when tokens are configured."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from extractor.service.errors import ApiError

bearer_scheme = HTTPBearer(auto_error=False, description="a token from EXTRACTOR_API_TOKENS")


def require_token(tokens: Sequence[str]) -> Callable[..., Awaitable[None]]:
    """A dependency rejecting requests without one of ``tokens``; accepts all when there are none."""
    accepted = [t.encode("utf-8") for t in tokens]

    async def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ) -> None:
        if not accepted:
            return
        challenge = {"WWW-Authenticate": 'Bearer realm="extractor"'}
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "unauthorized", "missing bearer token", challenge)
        given = credentials.credentials.encode("utf-8", "surrogateescape")
        # Compare against every token in constant time so timing does not reveal which prefix matched.
        if not any(hmac.compare_digest(given, token) for token in accepted):
            challenge["WWW-Authenticate"] += ', error="invalid_token"'
            raise ApiError(401, "unauthorized", "invalid bearer token", challenge)

    return check
