"""Background workers: a bounded pool that takes pending job articles from the store and extracts them.

Workers are not tied to a job: they take the next due article of any job (fairly across tokens and jobs,
see ``Store.claim_next``), so a restarted process resumes every unfinished job by simply starting its
workers (after ``Store.reset_running``). ``sweep_expired`` deletes jobs past their retention.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import anyio.to_thread

from extractor.core.errors import BackendUnavailable, ExtractorError
from extractor.service.config import ServiceSettings
from extractor.service.extraction import ArticleInput, CachedExtractor
from extractor.service.store import ClaimedItem, Store

log = logging.getLogger(__name__)


class JobWorkers:
    """``concurrency`` workers; ``job_id`` restricts them to one job (the batch runner)."""

    def __init__(
        self,
        store: Store,
        extractor: CachedExtractor,
        settings: ServiceSettings,
        *,
        concurrency: int | None = None,
        job_id: str | None = None,
        on_item_done: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.extractor = extractor
        self.settings = settings
        self.concurrency = concurrency or settings.job_concurrency
        self.job_id = job_id
        self.on_item_done = on_item_done
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Serve forever (the HTTP service); stop with ``stop()``."""
        self._tasks = [
            asyncio.create_task(self._work(drain=False), name=f"job-worker-{n}")
            for n in range(self.concurrency)
        ]

    def wake(self) -> None:
        """New work was queued: idle workers look at once instead of at their next poll."""
        self._wakeup.set()
        self._wakeup.clear()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def drain(self) -> None:
        """Work until no article of ``job_id`` (or of any job) is pending or running."""
        async with asyncio.TaskGroup() as group:
            for _ in range(self.concurrency):
                group.create_task(self._work(drain=True))

    async def _work(self, drain: bool) -> None:
        while True:
            item = await self._claim()
            if item is not None:
                await self._process(item)
                continue
            if drain and await anyio.to_thread.run_sync(self.store.unfinished, self.job_id) == 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.settings.worker_poll_s)

    async def _claim(self) -> ClaimedItem | None:
        # The claim runs in a thread that a cancel cannot stop: a cancel arriving meanwhile would lose
        # the claimed item (left "running" until the next startup's reset), so it is handed back here.
        claiming = asyncio.ensure_future(
            anyio.to_thread.run_sync(self.store.claim_next, time.time(), self.job_id)
        )
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            item = await claiming
            if item is not None:
                self.store.release(item.id, item.claim)
            raise

    async def _process(self, item: ClaimedItem) -> None:
        article = ArticleInput(
            text=item.text,
            article_id=item.article_id or str(item.index),
            source=item.source,
            url=item.url,
            published=item.published,
        )
        busy = self.extractor.metrics.workers_busy
        busy.inc()
        try:
            extracted = await self.extractor.run(article)
        except asyncio.CancelledError:
            # Shutting down mid-article: hand it back now rather than wait for the next startup's reset.
            # Synchronous on purpose: this task is being cancelled and must not await again.
            self.store.release(item.id, item.claim)
            raise
        except BackendUnavailable as exc:
            await self._backend_unavailable(item, exc)
        except ExtractorError as exc:
            await anyio.to_thread.run_sync(self.store.finish_failed, item.id, item.claim, exc.kind, str(exc))
        except Exception as exc:  # a bug must cost one article, not the worker
            log.exception("article %s of job %s failed unexpectedly", item.index, item.job_id)
            message = f"{type(exc).__name__}: {exc}"
            await anyio.to_thread.run_sync(self.store.finish_failed, item.id, item.claim, "internal", message)
        else:
            await anyio.to_thread.run_sync(self.store.finish_ok, item.id, item.claim, extracted.key)
        finally:
            busy.dec()
        if self.on_item_done is not None:
            self.on_item_done()

    async def _backend_unavailable(self, item: ClaimedItem, exc: BackendUnavailable) -> None:
        # The pipeline already retried this call; an outage can outlast that, so the article waits and
        # is tried again later, a bounded number of times, before it is recorded as failed.
        if item.attempts < self.settings.item_max_attempts:
            due = time.time() + self.settings.item_retry_delay_s * item.attempts
            self.extractor.metrics.job_requeues.inc()
            await anyio.to_thread.run_sync(
                self.store.retry_later, item.id, item.claim, due, exc.kind, str(exc)
            )
        else:
            await anyio.to_thread.run_sync(self.store.finish_failed, item.id, item.claim, exc.kind, str(exc))


async def sweep_expired(store: Store, retention_s: float, every_s: float) -> None:
    """Forever: delete jobs finished or cancelled more than ``retention_s`` ago (``Store.purge_expired``).

    Runs at startup, then every ``every_s``; a failed sweep is logged and tried again at the next one.
    """
    while True:
        try:
            removed = await anyio.to_thread.run_sync(store.purge_expired, time.time() - retention_s)
        except Exception:
            log.exception("the retention sweep failed; trying again in %.0f s", every_s)
        else:
            if removed:
                log.info("retention: deleted %d finished jobs older than %.0f s", removed, retention_s)
        await asyncio.sleep(every_s)
