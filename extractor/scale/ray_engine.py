"""The pipeline inside Ray Data actors: ``extract_dataset(ds, settings) -> ds``.

Each actor of the pool holds one event loop and one LLM client (one per server when the base URL is a
comma-separated list) for its whole life, and runs the batches Ray hands it through ``aextract`` with
at most ``in_flight`` articles awaiting the model at once. Total concurrency is actors x in_flight.

Input rows: ``index`` (int, required: it keys the output and orders it), ``text``, and optionally
``id`` (str or int), ``source``, ``url``, ``published`` — the fields of a batch input line.

Output rows, one per input row, whatever happened to it: ``index``, ``article_id``, ``status``
("ok" | "failed") and ``line``, the exact JSON line the local batch writes for that article
(``{index, article_id, status, result | error: {kind, message}}``). A row that is not a usable
article, or whose extraction raised, is a failed row with the reason: nothing fails the batch.
Ray Data does not keep row order across actors; sort by ``index`` when order matters.

Ray restarts an actor that dies and runs its batch again (Ray Data's defaults for actor pools:
``max_restarts=-1``, ``max_task_retries=-1``); only the batch that finished is delivered.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import replace
from typing import Any

import numpy as np
import ray
import ray.data

from extractor.core.errors import ExtractorError
from extractor.pipeline.extraction import aextract
from extractor.providers.llm import LLM, build_llm
from extractor.providers.settings import Settings
from extractor.service.batch import parse_record
from extractor.service.outcomes import outcome_line
from extractor.service.store import ItemOutcome

INPUT_FIELDS = ("id", "text", "source", "url", "published")
OUTPUT_COLUMNS = ("index", "article_id", "status", "line")


def server_urls(settings: Settings) -> list[str]:
    """The base URL setting as a list: one server, a load balancer, or several servers by commas."""
    return [url.strip() for url in (settings.base_url or "").split(",") if url.strip()]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; NaN (how a numeric column shows a null) as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class ExtractBatch:
    """The callable class ``map_batches`` builds once per actor."""

    def __init__(self, settings: Settings, in_flight: int) -> None:
        self.settings = settings
        self.in_flight = in_flight
        # One loop for the actor's life: the clients' connection pools belong to it across batches.
        self.loop = asyncio.new_event_loop()
        urls = server_urls(settings)
        self.llms: list[LLM] = (
            [build_llm(settings.model_copy(update={"base_url": url})) for url in urls]
            if len(urls) > 1
            else [build_llm(settings)]
        )
        self.sent = 0
        # instructor logs every failed attempt at ERROR, and Ray forwards each actor's log to the
        # driver; the outcome row already records the failure, once.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, list[Any]]:
        if "index" not in batch:
            raise ValueError(
                "extract_dataset needs an integer 'index' column (it keys and orders the output)"
            )
        size = len(batch["index"])
        rows = [{name: _plain(column[i]) for name, column in batch.items()} for i in range(size)]
        records = self.loop.run_until_complete(self._run(rows))
        return {name: [record[name] for record in records] for name in OUTPUT_COLUMNS}

    async def _run(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        slots = asyncio.Semaphore(self.in_flight)

        async def bounded(row: dict[str, Any]) -> dict[str, Any]:
            async with slots:
                return await self._one(row)

        return list(await asyncio.gather(*(bounded(row) for row in rows)))

    def _next_llm(self) -> LLM:
        # Round robin over the servers: each gets an even share of this actor's articles.
        llm = self.llms[self.sent % len(self.llms)]
        self.sent += 1
        return llm

    async def _one(self, row: dict[str, Any]) -> dict[str, Any]:
        index = int(row["index"])
        fields = {name: row[name] for name in INPUT_FIELDS if row.get(name) is not None}
        item = parse_record(fields, f"row {index}", f"row-{index}", self.settings.max_article_chars)
        base = ItemOutcome(
            index=index,
            article_id=item.article_id,
            source=item.source,
            url=item.url,
            published=item.published,
            text="",
            status="failed",
            result_json=None,
            error_kind=None,
            error_message=None,
        )
        outcome: ItemOutcome
        if item.error is not None:
            kind, message = item.error
            outcome = _failed(base, kind, message)
        else:
            try:
                result = await aextract(
                    item.text,
                    published=item.published,
                    article_id=item.article_id,
                    source=item.source,
                    url=item.url,
                    settings=self.settings,
                    llm=self._next_llm(),
                )
            except ExtractorError as exc:
                outcome = _failed(base, exc.kind, str(exc))
            except Exception as exc:  # a bug costs one article, never the batch
                outcome = _failed(base, "internal", f"{type(exc).__name__}: {exc}")
            else:
                outcome = replace(base, status="ok", result_json=result.model_dump_json())
        return {
            "index": index,
            "article_id": outcome.article_id,
            "status": outcome.status,
            "line": outcome_line(outcome),
        }


def _failed(base: ItemOutcome, kind: str, message: str) -> ItemOutcome:
    return replace(base, error_kind=kind, error_message=message)


def extract_dataset(
    ds: ray.data.Dataset,
    settings: Settings,
    *,
    concurrency: int = 1,
    in_flight: int = 8,
    batch_size: int | None = None,
    num_cpus: float = 1.0,
) -> ray.data.Dataset:
    """``ds`` of articles -> a lazy dataset of outcome rows (module docstring), one per input row.

    ``concurrency``: actors in the pool; ``in_flight``: articles awaiting the model per actor;
    ``batch_size``: rows per call of an actor (default 4 x in_flight, so a batch keeps every slot busy
    for a few rounds); ``num_cpus``: CPUs Ray reserves per actor. Against a remote server an actor is
    mostly waiting, so fractions (0.25) fit more actors on a node; with the embedded model (no base
    URL) each actor runs its own llama.cpp with that many threads unless ``settings.n_threads`` says.
    """
    if concurrency < 1 or in_flight < 1:
        raise ValueError("concurrency and in_flight must be >= 1")
    if settings.embedded and settings.n_threads == 0:
        # "All cores" per actor would have every actor on a node fight over the same cores.
        settings = settings.model_copy(update={"n_threads": max(1, int(num_cpus))})
    build_llm(settings)  # a configuration error shows here, once, rather than in every row
    return ds.map_batches(
        ExtractBatch,
        fn_constructor_kwargs={"settings": settings, "in_flight": in_flight},
        batch_size=batch_size or 4 * in_flight,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_cpus=num_cpus,
    )
