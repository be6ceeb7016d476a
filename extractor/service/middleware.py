"""ASGI middleware: request metrics, the token check, the guard on request bodies (size, type, encoding)."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from extractor.service.auth import TokenAuth
from extractor.service.errors import ApiError
from extractor.service.metrics import Metrics


async def _send_error(
    send: Send, status: int, kind: str, message: str, extra: dict[str, str] | None = None
) -> None:
    body = json.dumps({"error": {"kind": kind, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class TokenGuard:
    """401 for a request under ``prefix`` without an accepted token, before the body is read or judged."""

    def __init__(self, app: ASGIApp, auth: TokenAuth, prefix: str) -> None:
        self.app = app
        self.auth = auth
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        guarded = path == self.prefix or path.startswith(self.prefix + "/")
        if scope["type"] == "http" and guarded and self.auth.enabled:
            found = (v for k, v in scope["headers"] if k.lower() == b"authorization")
            header = next(found, b"").decode("latin-1") or None
            try:
                self.auth.identify(header)
            except ApiError as exc:
                await _send_error(send, exc.status, exc.kind, exc.message, exc.headers)
                return
        await self.app(scope, receive, send)


class BodyGuard:
    """Rejects before any parsing: 415 for a non-JSON body, 413 past ``max_bytes``, 400 for non-UTF-8.

    Only on ``guarded`` (method, path) pairs, the routes that take a JSON body: any other request goes on
    to the router, which answers 404 or 405 as it should.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, guarded: frozenset[tuple[str, str]]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.guarded = guarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in self.guarded:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if not _is_json(headers.get("content-type", "")):
            await _send_error(send, 415, "unsupported_media_type", "send the body as application/json")
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _send_error(send, 413, "too_large", f"request body over {self.max_bytes} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, "too_large", f"request body over {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await _send_error(send, 400, "bad_encoding", f"request body is not UTF-8 (byte {exc.start})")
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later reads wait for the disconnect, as the server would

    return replayed


class RequestMetrics:
    """Counts requests by route template (not raw path: ids would explode the label set) and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route: Any = scope.get("route")
            label = str(getattr(route, "path", "unmatched"))
            self.metrics.observe_request(scope["method"], label, status, time.perf_counter() - started)
