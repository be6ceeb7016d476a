"""A real OpenAI-compatible HTTP server on 127.0.0.1 whose answers a test scripts, and which faults on cue.

Usage::

    from tests.fake_upstream import FakeUpstream, ok, rate_limited, server_error, delay, drop_connection

    with FakeUpstream() as fake:                       # random free port, served from a thread
        settings = Settings(base_url=fake.url, api_key="x", max_retries=2, timeout_s=1)
        fake.push(rate_limited(retry_after=0), server_error(503), ok('{"actors": []}', usage=(12, 3)))
        ...                                            # the next three chat completions get these, in order
        assert len(fake.chat_requests()) == 3          # every request received is recorded

Behaviours (each answers one ``POST /v1/chat/completions``; the queue is consumed first, then the
default, which is ``ok()`` unless given to ``FakeUpstream(default=...)`` or ``set_default``):

- ``ok(content=None, usage=(prompt, completion))``: a 200 completion. ``content`` is a JSON string, a
  dict/list (dumped), or a callable ``(request_json) -> str | dict`` for answers that depend on the request.
  ``None`` means ``DEFAULT_CONTENT``.
- ``rate_limited(retry_after=1.0)``: 429 with a ``Retry-After`` header.
- ``server_error(code=500, retry_after=None)``: 500/502/503/... with an OpenAI-style error body.
- ``delay(seconds, then=None)``: waits, then answers with ``then`` (default ``ok()``); makes client timeouts.
- ``drop_connection()``: sends headers and part of the body, then closes the socket mid-response.
- ``malformed_json()``: a 200 whose HTTP body is not JSON at all.
- ``truncated(content=None, finish="length")``: a 200 completion whose content is cut in half (invalid JSON);
  finish "length" is a server stopping at max_tokens, finish "stop" a body garbled on the way.
- ``schema_violation()``: a 200 completion with valid JSON content that breaks any extraction schema.

``FakeUpstream(latency_s=1.0)`` (or ``set_latency``) adds a fixed delay to every chat completion: the
fixed-latency mode for load tests. ``fake.models_status = 503`` makes ``GET /v1/models`` fail (readiness).

When the request carries ``tools`` (instructor's TOOLS mode), the content is returned as the arguments of a
tool call to the first (or the forced) tool; otherwise as ``message.content``. Streaming is not supported.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# An empty extraction in the shape of the contract's lists; valid for any schema with defaulted lists.
DEFAULT_CONTENT = json.dumps({"actors": [], "visits": [], "meetings": [], "claims": []})
MODEL_ID = "fake-model"

Content = str | dict[str, Any] | list[Any] | Callable[[dict[str, Any]], "str | dict[str, Any]"] | None


@dataclass(frozen=True)
class Behaviour:
    """One scripted answer; build these with the helper functions below rather than directly."""

    kind: str
    content: Content = None
    usage: tuple[int, int] = (10, 5)
    status: int = 200
    retry_after: float | None = None
    seconds: float = 0.0
    then: Behaviour | None = None
    finish: str = "stop"
    message: str | None = None


def ok(content: Content = None, usage: tuple[int, int] = (10, 5)) -> Behaviour:
    return Behaviour("ok", content=content, usage=usage)


def rate_limited(retry_after: float = 1.0) -> Behaviour:
    return Behaviour("status", status=429, retry_after=retry_after)


def server_error(code: int = 500, retry_after: float | None = None, message: str | None = None) -> Behaviour:
    return Behaviour("status", status=code, retry_after=retry_after, message=message)


def delay(seconds: float, then: Behaviour | None = None) -> Behaviour:
    return Behaviour("delay", seconds=seconds, then=then)


def drop_connection() -> Behaviour:
    return Behaviour("drop")


def malformed_json() -> Behaviour:
    return Behaviour("malformed")


def truncated(content: Content = None, usage: tuple[int, int] = (10, 5), finish: str = "length") -> Behaviour:
    return Behaviour("truncated", content=content, usage=usage, finish=finish)


def schema_violation(usage: tuple[int, int] = (10, 5)) -> Behaviour:
    bad = {"actors": "not a list", "visits": [{"id": 7}], "meetings": None, "claims": [1, 2]}
    return Behaviour("ok", content=bad, usage=usage)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 refuses connections when 64 clients arrive at once.
    request_queue_size = 1024


class FakeUpstream:
    """The server. Start with ``with FakeUpstream() as fake`` or ``start()`` / ``stop()``."""

    def __init__(self, default: Behaviour | None = None, latency_s: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Behaviour] = deque()
        self._default = default or ok()
        self._latency_s = latency_s
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self.models_status = 200
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-upstream", daemon=True)
        self._completions = 0

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL an OpenAI client takes (ends in /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay()/latency so shutdown is prompt
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting -------------------------------------------------------------------------------
    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def set_default(self, behaviour: Behaviour) -> None:
        with self._lock:
            self._default = behaviour

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency_s = seconds

    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def pending(self) -> int:
        """Scripted behaviours not consumed yet."""
        with self._lock:
            return len(self._queue)

    # -- used by the handler ---------------------------------------------------------------------
    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _next(self) -> tuple[Behaviour, float, int]:
        with self._lock:
            self._completions += 1
            behaviour = self._queue.popleft() if self._queue else self._default
            return behaviour, self._latency_s, self._completions

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


def _handler_for(fake: FakeUpstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _read_body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return raw.decode("utf-8", "replace")

        def _record(self, body: Any) -> None:
            fake._record(RecordedRequest(self.command, self.path, dict(self.headers.items()), body))

        def do_GET(self) -> None:
            self._record(None)
            if self.path.rstrip("/").endswith("/models"):
                if fake.models_status != 200:
                    self._send_json(fake.models_status, _error_body(fake.models_status))
                    return
                models = {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "owned_by": "fake"}]}
                self._send_json(200, models)
                return
            self._send_json(404, _error_body(404))

        def do_POST(self) -> None:
            body = self._read_body()
            self._record(body)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, _error_body(404))
                return
            behaviour, latency, n = fake._next()
            fake._sleep(latency)
            # A client that gave up (its timeout) has closed the socket: nothing to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(behaviour, body if isinstance(body, dict) else {}, n)

        def _answer(self, b: Behaviour, request: dict[str, Any], n: int) -> None:
            if b.kind == "delay":
                fake._sleep(b.seconds)
                self._answer(b.then or ok(), request, n)
            elif b.kind == "status":
                headers = {} if b.retry_after is None else {"Retry-After": _fmt_seconds(b.retry_after)}
                self._send_json(b.status, _error_body(b.status, b.message), headers)
            elif b.kind == "drop":
                self._drop()
            elif b.kind == "malformed":
                self._send_raw(200, b'{"id": "chatcmpl-x", "choices": [ {"message": ', "application/json")
            elif b.kind == "truncated":
                text = _content_text(b.content, request)
                self._send_json(200, _completion(request, text[: len(text) // 2], b.usage, n, b.finish))
            else:
                self._send_json(200, _completion(request, _content_text(b.content, request), b.usage, n))

        def _drop(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"id": "chatcmpl-dropped", "choi')
            self.wfile.flush()
            self.close_connection = True
            # shutdown, not just close: the handler's own file objects would otherwise keep it open
            self.connection.shutdown(socket.SHUT_RDWR)

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

        def _send_raw(
            self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

    return Handler


def _fmt_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def _content_text(content: Content, request: dict[str, Any]) -> str:
    if callable(content):
        content = content(request)
    if content is None:
        return DEFAULT_CONTENT
    return content if isinstance(content, str) else json.dumps(content)


def _tool_name(request: dict[str, Any]) -> str | None:
    tools = request.get("tools") or []
    if not tools:
        return None
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return str(choice["function"].get("name"))
    return str(tools[0].get("function", {}).get("name", "tool"))


def _completion(
    request: dict[str, Any], content: str, usage: tuple[int, int], n: int, finish: str = "stop"
) -> dict[str, Any]:
    tool = _tool_name(request)
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool is not None:
        call = {"id": f"call_{n}", "type": "function", "function": {"name": tool, "arguments": content}}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls" if finish == "stop" else finish
    prompt, completion = usage
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model") or MODEL_ID,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def _error_body(status: int, message: str | None = None) -> dict[str, Any]:
    text = message or f"fake upstream answered {status}"
    return {"error": {"message": text, "type": "fake_error", "code": status}}


def user_messages(request: dict[str, Any]) -> list[str]:
    """The texts of a chat request's user messages, in order (for content callables that echo the article).

    Mind reasks: a validation retry appends a user message with the errors, so the article is in the
    first user message, not necessarily the last.
    """
    texts: list[str] = []
    for message in request.get("messages") or []:
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                texts.append("".join(part.get("text", "") for part in content if isinstance(part, dict)))
            else:
                texts.append(str(content or ""))
    return texts
