"""Every error answer is ``{"error": {"kind", "message"}}`` with the right 4xx/5xx status."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, Route

from extractor.core.errors import (
    ExtractorError,
)

log = logging.getLogger(__name__)

# Kinds raised by the request models' own validators, reported as such instead of a generic "validation".
_SPECIFIC_VALIDATION_KINDS = ("empty_text", "bad_encoding")
_KIND_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "too_many_requests",
    503: "backend_unavailable",
}


class ErrorDetail(BaseModel):
    kind: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raised by handlers for a 4xx/5xx with a stable kind."""

    def __init__(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers


def error_response(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"kind": kind, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def pipeline_error_response(exc: ExtractorError, retry_after_s: int) -> JSONResponse:
    # Each error class carries its status and retryability (core/errors.py).
    headers = {"Retry-After": str(retry_after_s)} if exc.retryable else None
    return error_response(exc.http_status, exc.kind, str(exc), headers)


def _describe(errors: list[Any]) -> tuple[str, str]:
    parts: list[str] = []
    kind = "validation"
    for err in errors[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
        if err.get("type") in _SPECIFIC_VALIDATION_KINDS and kind == "validation":
            kind = str(err["type"])
        if err.get("type") == "json_invalid":
            kind = "bad_json"
    return kind, "; ".join(parts)


def _allowed_methods(request: Request, routes: Sequence[BaseRoute]) -> list[str]:
    methods: set[str] = set()
    for route in [*request.app.router.routes, *routes]:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods.update(route.methods)
    return sorted(methods)


def install_error_handlers(app: FastAPI, retry_after_s: int, routes: Sequence[BaseRoute] = ()) -> None:
    """``routes``: the application's routes as declared (included routers hide theirs from the app)."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.kind, exc.message, exc.headers)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        kind, message = _describe(list(exc.errors()))
        return error_response(400 if kind == "bad_json" else 422, kind, message)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = _KIND_BY_STATUS.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route matching the path; a path served by several
            # routes (GET and DELETE /v1/jobs/{id}) supports all of theirs.
            allowed = _allowed_methods(request, routes)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return error_response(exc.status_code, kind, str(exc.detail), headers)

    async def on_pipeline(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ExtractorError)
        return pipeline_error_response(exc, retry_after_s)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal", "internal error; see the service log")

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ExtractorError, on_pipeline)
    app.add_exception_handler(Exception, on_unexpected)
