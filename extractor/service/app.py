"""The FastAPI application: routes, and the service objects they share, built by ``create_app``."""

from __future__ import annotations

import asyncio
import datetime
import functools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from extractor.core.article import raw_input_limit
from extractor.core.contract import ArticleExtraction
from extractor.providers.llm import LLM, build_llm
from extractor.providers.settings import Settings
from extractor.service.auth import Caller, TokenAuth, caller_dependency
from extractor.service.config import ServiceSettings, load_service_settings
from extractor.service.errors import ApiError, ErrorBody, error_response, install_error_handlers
from extractor.service.extraction import ArticleInput, CachedExtractor, ExtractFn, default_article_id
from extractor.service.jobs import JobWorkers, sweep_expired
from extractor.service.metrics import PROMETHEUS_CONTENT_TYPE, Metrics
from extractor.service.middleware import BodyGuard, RequestMetrics, TokenGuard
from extractor.service.outcomes import outcome_line
from extractor.service.schemas import (
    ArticleIn,
    Health,
    JobCountsOut,
    JobCreated,
    JobIn,
    JobStatusOut,
    ResultLine,
)
from extractor.service.store import JobCounts, NewItem, Store

API_TITLE = "extractor"
API_PREFIX = "/v1"

# The order here is the order of the sections on /docs.
OPENAPI_TAGS: list[dict[str, Any]] = [
    {"name": "extraction", "description": "One article in, its events out, in the same request."},
    {
        "name": "jobs",
        "description": "Many articles queued and extracted in the background; poll the status, then read "
        "the results as JSON Lines.",
    },
    {"name": "health", "description": "Probes for a supervisor or load balancer."},
    {"name": "metrics", "description": "Prometheus text format."},
]


@dataclass
class Service:
    settings: Settings
    config: ServiceSettings
    store: Store
    llm: LLM
    metrics: Metrics
    extractor: CachedExtractor
    workers: JobWorkers
    auth: TokenAuth
    warm_up: asyncio.Task[Any] | None = field(default=None)
    # Synchronous extractions in progress (POST /v1/extract), bounded by config.max_sync_extractions.
    sync_in_flight: int = 0


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


def _timestamp(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat()


def _status_of(counts: JobCounts) -> JobStatusOut:
    unfinished = counts.pending + counts.running
    started = counts.done + counts.failed + counts.running > 0
    status: Literal["pending", "running", "done", "cancelling", "cancelled"]
    if counts.cancelled_at is not None:
        status = "cancelled" if unfinished == 0 else "cancelling"
    else:
        status = "done" if unfinished == 0 else ("running" if started else "pending")
    return JobStatusOut(
        job_id=counts.job_id,
        status=status,
        created_at=_timestamp(counts.created_at),
        cancelled_at=None if counts.cancelled_at is None else _timestamp(counts.cancelled_at),
        counts=JobCountsOut(
            total=counts.total,
            done=counts.done,
            failed=counts.failed,
            pending=unfinished,
            cancelled=counts.cancelled,
        ),
    )


def _check_article(article: ArticleIn, max_chars: int, where: str = "text") -> None:
    # An HTML page is bounded here by a larger raw limit; its extracted text gets max_chars later.
    limit = raw_input_limit(article.text, max_chars)
    if len(article.text) > limit:
        raise ApiError(413, "too_large", f"{where} is {len(article.text)} characters; the limit is {limit}")


def _as_input(article: ArticleIn) -> ArticleInput:
    return ArticleInput(
        text=article.text,
        article_id=article.id or default_article_id(article.text),
        source=article.source,
        url=article.url,
        published=article.published,
    )


def _build_routes(service: Service) -> APIRouter:
    # Without tokens there is no auth at all, and the OpenAPI spec must not claim a security scheme.
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(caller_dependency(service.auth))])

    def caller_of(request: Request) -> Caller:
        return service.auth.identify(request.headers.get("authorization"))

    async def visible_job(job_id: str, request: Request) -> JobCounts:
        caller = caller_of(request)
        counts = await anyio.to_thread.run_sync(service.store.job_counts, job_id)
        # Another client's job answers exactly like a missing one, so job ids cannot be probed.
        if counts is None or not caller.may_read(counts.owner):
            raise ApiError(404, "not_found", f"no job {job_id!r}")
        return counts

    @api.post(
        "/extract",
        response_model=ArticleExtraction,
        responses=_errors(400, 401, 413, 415, 422, 429, 502, 503),
        summary="Extract the events of one article",
        description="422 also answers text the pipeline cannot use: no sentence (no letter or digit), "
        "HTML without article text, binary-looking text. 429 (with `Retry-After`) when "
        "`EXTRACTOR_MAX_SYNC_EXTRACTIONS` extractions are already in progress: retry later, or queue a job.",
        tags=["extraction"],
    )
    async def extract(article: ArticleIn) -> Response:
        _check_article(article, service.settings.max_article_chars)
        limit = service.config.max_sync_extractions
        if service.sync_in_flight >= limit:
            raise ApiError(
                429,
                "too_many_requests",
                f"{limit} extractions are in progress, the most this service runs at once; "
                "retry later, or queue the article with POST /v1/jobs",
                {"Retry-After": str(service.config.busy_retry_after_s)},
            )
        # One event loop: the check above and this increment cannot interleave with another request.
        service.sync_in_flight += 1
        try:
            extracted = await service.extractor.run(_as_input(article))
        finally:
            service.sync_in_flight -= 1
        return Response(extracted.result.model_dump_json(), media_type="application/json")

    @api.post(
        "/jobs",
        status_code=202,
        response_model=JobCreated,
        responses=_errors(400, 401, 413, 415, 422),
        summary="Queue many articles for background extraction",
        tags=["jobs"],
    )
    async def create_job(job: JobIn, request: Request) -> JobCreated:
        limit = service.config.max_job_articles
        if len(job.articles) > limit:
            raise ApiError(413, "too_large", f"{len(job.articles)} articles; the limit per job is {limit}")
        for index, article in enumerate(job.articles):
            _check_article(article, service.settings.max_article_chars, f"articles[{index}].text")
        items = [
            NewItem(text=a.text, article_id=i.article_id, source=a.source, url=a.url, published=a.published)
            for a, i in ((a, _as_input(a)) for a in job.articles)
        ]
        create = functools.partial(service.store.create_job, items, owner=caller_of(request).owner)
        job_id = await anyio.to_thread.run_sync(create)
        service.workers.wake()
        return JobCreated(
            job_id=job_id,
            total=len(items),
            status_url=str(request.url_for("job_status", job_id=job_id).path),
            results_url=str(request.url_for("job_results", job_id=job_id).path),
        )

    @api.get(
        "/jobs/{job_id}",
        response_model=JobStatusOut,
        responses=_errors(401, 404),
        name="job_status",
        summary="A job's progress",
        tags=["jobs"],
    )
    async def job_status(job_id: str, request: Request) -> JobStatusOut:
        return _status_of(await visible_job(job_id, request))

    @api.delete(
        "/jobs/{job_id}",
        response_model=JobStatusOut,
        responses=_errors(401, 404),
        summary="Cancel a job",
        description="Queued articles end as `cancelled`; articles in progress finish (status `cancelling` "
        "until they have). A finished job is left as it is. The results stay readable until the job's "
        "retention ends. Cancelling again is harmless.",
        tags=["jobs"],
    )
    async def cancel_job(job_id: str, request: Request) -> JobStatusOut:
        await visible_job(job_id, request)
        await anyio.to_thread.run_sync(service.store.cancel_job, job_id)
        return _status_of(await visible_job(job_id, request))

    @api.get(
        "/jobs/{job_id}/results",
        name="job_results",
        summary="A job's results, one line per article (unfinished ones as pending)",
        tags=["jobs"],
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "JSON Lines: one ResultLine per article, in submission order",
                "content": {
                    "application/x-ndjson": {
                        "schema": ResultLine.model_json_schema(ref_template="#/components/schemas/{model}")
                    }
                },
            },
            **_errors(401, 404),
        },
    )
    async def job_results(job_id: str, request: Request) -> StreamingResponse:
        await visible_job(job_id, request)

        def lines() -> Iterator[str]:  # a sync iterator: Starlette runs it in a thread, off the event loop
            for outcome in service.store.iter_outcomes(job_id):
                yield outcome_line(outcome)

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return api


def _build_probes(service: Service) -> APIRouter:
    probes = APIRouter()

    @probes.get("/healthz", response_model=Health, summary="The process is up", tags=["health"])
    async def healthz() -> Health:
        return Health(status="ok")

    @probes.get(
        "/readyz",
        response_model=Health,
        responses=_errors(503),
        summary="The model backend answers",
        tags=["health"],
        description="`detail.model` names the model, for callers with a valid token (all, without auth).",
    )
    async def readyz(request: Request) -> Response:
        retry = {"Retry-After": str(service.config.retry_after_s)}
        if service.warm_up is not None and not service.warm_up.done():
            return error_response(503, "backend_unavailable", "the embedded model is starting", retry)
        if not await service.llm.ping():
            return error_response(503, "backend_unavailable", "the model backend does not answer", retry)
        # Probes stay open to orchestrators, but the model in use is the operator's business: only a
        # caller who could use the API anyway learns it. The header is read by hand, not declared as a
        # security scheme, because the probe answers without one.
        known = service.auth.knows(request.headers.get("authorization"))
        detail = {"model": service.llm.model_name} if known else {}
        return JSONResponse(Health(status="ready", detail=detail).model_dump())

    @probes.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics", tags=["metrics"])
    async def metrics() -> Response:
        return Response(service.metrics.render(), media_type=PROMETHEUS_CONTENT_TYPE)

    return probes


def _document_errors_as_they_are(app: FastAPI) -> None:
    """The spec's 422 answers are the ``ErrorBody`` every error handler sends, not FastAPI's default.

    FastAPI documents its ``HTTPValidationError`` for every route with parameters; the handlers in
    errors.py never send that shape, so the spec names the one they do send (and drops the unused models).
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        default = "#/components/schemas/HTTPValidationError"
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                answer = operation.get("responses", {}).get("422")
                schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") == default:
                    schema["$ref"] = "#/components/schemas/ErrorBody"
                    answer["description"] = "Invalid input"
        schemas = spec.get("components", {}).get("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _json_body_routes(*routers: APIRouter) -> frozenset[tuple[str, str]]:
    """(method, path) of every route taking a body (none has path parameters, so paths compare as is)."""
    pairs: set[tuple[str, str]] = set()
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                pairs.update((method, route.path) for method in route.methods or ())
    return frozenset(pairs)


def create_app(
    settings: Settings | None = None,
    config: ServiceSettings | None = None,
    *,
    extract: ExtractFn | None = None,
    llm: LLM | None = None,
) -> FastAPI:
    """The app; by default ``extract`` is ``extractor.pipeline.aextract``, ``llm`` built from settings."""
    settings = settings or Settings()
    config = config or load_service_settings()
    own_llm = llm is None
    backend = llm or build_llm(settings)
    store = Store(config.database_url)
    metrics = Metrics()
    extractor = CachedExtractor(store, settings, backend, extract, metrics)
    service = Service(
        settings=settings,
        config=config,
        store=store,
        llm=backend,
        metrics=metrics,
        extractor=extractor,
        workers=JobWorkers(store, extractor, config),
        auth=TokenAuth(config.api_tokens, config.admin_tokens),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Work a killed process left 'running' is pending again, and the workers pick up every unfinished job.
        await anyio.to_thread.run_sync(store.reset_running)
        if own_llm and settings.embedded:
            from extractor.providers import (
                embedded,
            )  # starting the model takes a while: not on the event loop

            service.warm_up = asyncio.create_task(anyio.to_thread.run_sync(embedded.ensure_server, settings))
        service.workers.start()
        sweeper = asyncio.create_task(
            sweep_expired(store, config.job_retention_s, config.retention_sweep_s), name="retention-sweep"
        )
        try:
            yield
        finally:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
            await service.workers.stop()
            if own_llm:
                await backend.aclose()
            store.close()

    # Swagger UI from the assets fastapi-offline ships, not a CDN, so /docs works with no network. No
    # ReDoc: its bundle always fetches the Redocly logo from a CDN, so offline it would reach out and fail.
    app = FastAPIOffline(
        redoc_url=None,
        title=API_TITLE,
        openapi_tags=OPENAPI_TAGS,
        version="1",
        description="Evidence-backed events (Actor, Visit, Meeting, Claim) extracted from news articles.",
        lifespan=lifespan,
    )
    app.state.service = service
    _document_errors_as_they_are(app)
    routers = (_build_routes(service), _build_probes(service))
    install_error_handlers(app, config.retry_after_s, [r for router in routers for r in router.routes])
    for router in routers:
        app.include_router(router)
    # Added last = outermost: metrics see every answer, the guards' 401/413/415 included, and the token
    # is checked before the body guard reads (or judges) the body.
    app.add_middleware(BodyGuard, max_bytes=config.max_body_bytes, guarded=_json_body_routes(*routers))
    app.add_middleware(TokenGuard, auth=service.auth, prefix=API_PREFIX)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app
