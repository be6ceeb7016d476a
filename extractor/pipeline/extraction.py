"""article text -> prompt -> LLM draft -> grounding and normalization -> contract."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from extractor.core.article import prepare
from extractor.core.assemble import assemble
from extractor.core.attribution import find_cues
from extractor.core.contract import ArticleExtraction, ArticleInfo, Meta, Usage
from extractor.core.dates import find_publication_date, parse_published
from extractor.core.draft import Draft, EventsDraft
from extractor.core.encounters import find_encounters
from extractor.core.errors import InputError
from extractor.core.language import detect_language
from extractor.core.sentences import split_sentences
from extractor.pipeline.prompts import load_prompt
from extractor.pipeline.windows import read_windows
from extractor.providers.llm import LLM, build_llm
from extractor.providers.settings import Settings

T = TypeVar("T")


def article_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def aextract(
    text: str,
    *,
    published: str | dt.date | None = None,
    article_id: str | None = None,
    source: str | None = None,
    url: str | None = None,
    settings: Settings | None = None,
    llm: LLM | None = None,
) -> ArticleExtraction:
    """Extract one article. Raises InputError, ConfigError, BackendUnavailable or ModelOutputError."""
    started = time.perf_counter()
    settings = settings or Settings()
    name = article_id or "article"
    article = prepare(text, max_chars=settings.max_article_chars, name=name)
    try:
        published_date = parse_published(published) or find_publication_date(article.text)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    sentences = split_sentences(article.text)
    language = detect_language(article.text)
    if not sentences:
        raise InputError(f"{name}: no sentences in the article text")
    prompt = load_prompt(settings.prompt_version)
    own_llm = llm is None
    client = llm or build_llm(settings)
    # A prompt that leaves claims to code asks the model for actors, visits and meetings only.
    by_code = prompt.claims == "code"
    response_model: type[Draft] | type[EventsDraft] = EventsDraft if by_code else Draft
    try:
        reading = await read_windows(
            client,
            prompt,
            sentences,
            published=published_date.isoformat() if published_date else "unknown",
            response_model=response_model,
            context_tokens=settings.context_window,
            max_output_tokens=settings.max_output_tokens,
        )
    finally:
        if own_llm:
            await client.aclose()
    built = assemble(
        reading.draft,
        article.text,
        sentences,
        published_date,
        claim_cues=find_cues(sentences, article.text) if by_code else None,
        encounters=find_encounters(sentences) if by_code else None,
        outlet=source,
        language=language,
    )
    return ArticleExtraction(
        article=ArticleInfo(
            id=article_id or article_id_for(article.text),
            source=source,
            url=url,
            published=published_date.isoformat() if published_date else None,
            language=language,
            content_sha256=article.sha256,
            text=article.text if article.format == "html" else None,
        ),
        actors=built.actors,
        visits=built.visits,
        meetings=built.meetings,
        claims=built.claims,
        meta=Meta(
            model=client.model_name,
            prompt_version=prompt.version,
            prompt_sha256=prompt.sha256,
            usage=reading.usage,
            duration_s=round(time.perf_counter() - started, 3),
            warnings=reading.warnings + built.warnings,
            attempts=reading.attempts,
            transport_retries=reading.transport_retries,
        ),
    )


def extract(
    text: str,
    *,
    published: str | dt.date | None = None,
    article_id: str | None = None,
    source: str | None = None,
    url: str | None = None,
    settings: Settings | None = None,
) -> ArticleExtraction:
    """Blocking variant of :func:`aextract`; safe to call from inside a running event loop."""
    return run_sync(
        aextract(text, published=published, article_id=article_id, source=source, url=url, settings=settings)
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from async code (a notebook, a server handler): run on a private loop in a thread.
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


__all__ = ["Usage", "aextract", "article_id_for", "extract", "run_sync"]
