"""One article through the pipeline, once: the result cache shared by the API, the jobs and the batch runner.

A result is stored under sha256(text, published, prompt version, model). ``published`` is part of the key
because it anchors relative dates ("on Tuesday") and so changes the output; the article's id, source and
url do not reach the model, so a stored result is reused for any of them and shown with the caller's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

import anyio.to_thread

from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ExtractorError
from extractor.providers.llm import LLM
from extractor.providers.settings import Settings
from extractor.service.metrics import Metrics
from extractor.service.store import Store


class ExtractFn(Protocol):
    """The shape of ``extractor.pipeline.aextract``; tests inject fakes of it."""

    def __call__(
        self,
        text: str,
        *,
        published: str | None = None,
        article_id: str | None = None,
        source: str | None = None,
        url: str | None = None,
        settings: Settings | None = None,
        llm: LLM | None = None,
    ) -> Awaitable[ArticleExtraction]: ...


@dataclass(frozen=True)
class ArticleInput:
    text: str
    article_id: str
    source: str | None = None
    url: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Extracted:
    result: ArticleExtraction
    key: str
    cached: bool


def default_article_id(text: str) -> str:
    """The id of an article submitted without one: the pipeline's hash of the submitted text."""
    from extractor.pipeline import article_id_for

    return article_id_for(text)


def cache_key(text: str, published: str | None, prompt_version: str, model: str) -> str:
    payload = json.dumps([text, published, prompt_version, model], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def default_extract() -> ExtractFn:
    from extractor.pipeline import aextract  # deferred: the service module loads without the model stack

    return aextract


class CachedExtractor:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        llm: LLM,
        extract: ExtractFn | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.llm = llm
        self.extract = extract or default_extract()
        self.metrics = metrics or Metrics()
        # Concurrent requests for the same key wait for the first one instead of calling the model again.
        self._in_flight: dict[str, asyncio.Future[str]] = {}

    def key_for(self, article: ArticleInput) -> str:
        return cache_key(article.text, article.published, self.settings.prompt_version, self.llm.model_name)

    async def run(self, article: ArticleInput) -> Extracted:
        key = self.key_for(article)
        stored = await anyio.to_thread.run_sync(self.store.get_result, key)
        if stored is not None:
            self.metrics.observe_cached()
            return Extracted(_as_requested(stored, article), key, cached=True)
        waiting = self._in_flight.get(key)
        if waiting is not None:
            await asyncio.wait([waiting])
            if waiting.cancelled():  # the caller that was extracting went away: try again ourselves
                return await self.run(article)
            stored = waiting.result()
            self.metrics.observe_cached()
            return Extracted(_as_requested(stored, article), key, cached=True)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            stored = await self._extract_and_store(article, key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._in_flight[key]
        future.set_result(stored)
        return Extracted(_as_requested(stored, article), key, cached=False)

    async def _extract_and_store(self, article: ArticleInput, key: str) -> str:
        started = time.perf_counter()
        try:
            result = await self.extract(
                article.text,
                published=article.published,
                article_id=article.article_id,
                source=article.source,
                url=article.url,
                settings=self.settings,
                llm=self.llm,
            )
        except ExtractorError as exc:
            self.metrics.observe_failure(exc.kind, exc.usage, exc.attempts)
            raise
        except Exception:
            self.metrics.observe_failure("internal", None, 0)
            raise
        self.metrics.observe_success(result, time.perf_counter() - started)

        def put() -> str:
            return self.store.put_result(
                key,
                model=self.llm.model_name,
                prompt_version=self.settings.prompt_version,
                result_json=result.model_dump_json(),
            )

        return await anyio.to_thread.run_sync(put)


def _as_requested(stored_json: str, article: ArticleInput) -> ArticleExtraction:
    """The stored result, labelled with this caller's id, source and url."""
    return as_requested(
        ArticleExtraction.model_validate_json(stored_json), article.article_id, article.source, article.url
    )


def as_requested(
    result: ArticleExtraction, article_id: str, source: str | None, url: str | None
) -> ArticleExtraction:
    info = result.article.model_copy(update={"id": article_id, "source": source, "url": url})
    return result.model_copy(update={"article": info})
