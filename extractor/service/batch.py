"""``extractor batch IN.jsonl -o OUT.jsonl``: the service's durable job machinery, without the server.

The state lives in a SQLite file next to the output (``OUT.jsonl.state.sqlite3``), keyed by the input's
content and the model setup, so an interrupted run resumes where it stopped and a finished one re-runs
for free. The output is written whole at the end (to a temporary file, then renamed), one line per input
line in input order; a line that could not be read is a failed item with its reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from extractor.core.article import raw_input_limit
from extractor.core.errors import ConfigError, retryable_kinds
from extractor.providers.llm import LLM, build_llm
from extractor.providers.settings import Settings
from extractor.service.config import ServiceSettings, load_service_settings
from extractor.service.extraction import CachedExtractor, ExtractFn, default_article_id
from extractor.service.jobs import JobWorkers
from extractor.service.outcomes import outcome_line
from extractor.service.schemas import ArticleIn
from extractor.service.store import NewItem, Store

# Failures a later run may cure by itself (decided by the error classes, core/errors.py); re-running
# retries these. retry_failed=True also retries failures that may pass after a change of model,
# prompt or configuration, but never the unreadable lines or a bug, which no retry can fix.
TRANSIENT_KINDS = tuple(sorted(retryable_kinds()))
RETRYABLE_KINDS = (*TRANSIENT_KINDS, "model_output", "config")


@dataclass(frozen=True)
class BatchSummary:
    total: int
    ok: int
    failed: int
    already_done: int  # finished by an earlier run, not processed again
    out_path: Path
    state_path: Path


def default_state_path(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + ".state.sqlite3")


def partial_path(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + ".partial")


def parse_line(raw: bytes, line_no: int, max_chars: int) -> NewItem:
    """One input line as an item; unreadable lines become items already failed with the reason."""
    fallback_id = f"line-{line_no}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return NewItem(
            text="", article_id=fallback_id, error=("bad_encoding", f"line {line_no}: not UTF-8 ({exc})")
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        return NewItem(
            text="", article_id=fallback_id, error=("bad_line", f"line {line_no}: not JSON ({exc})")
        )
    if not isinstance(data, dict):
        return NewItem(
            text="", article_id=fallback_id, error=("bad_line", f"line {line_no}: not a JSON object")
        )
    return parse_record(data, f"line {line_no}", fallback_id, max_chars)


def parse_record(data: dict[str, Any], where: str, fallback_id: str, max_chars: int) -> NewItem:
    """One decoded record as an item, failed with the reason when it is not a usable article.

    Shared with the Ray engine, which validates dataset rows exactly as this reads file lines.
    """
    raw_id = data.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        # Exported tables often number their rows: 42 is the id "42", not a malformed line.
        data = {**data, "id": str(raw_id)}
        raw_id = data["id"]
    line_id = raw_id if isinstance(raw_id, str) and raw_id else fallback_id
    try:
        article = ArticleIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        kind = first["type"] if first["type"] in ("empty_text", "bad_encoding") else "bad_line"
        field = ".".join(str(p) for p in first["loc"]) or "line"
        return NewItem(text="", article_id=line_id, error=(kind, f"{where}: {field}: {first['msg']}"))
    article_id = article.id or default_article_id(article.text)
    limit = raw_input_limit(article.text, max_chars)
    if len(article.text) > limit:
        message = f"{where}: text is {len(article.text)} characters; the limit is {limit}"
        return NewItem(text="", article_id=article_id, error=("too_large", message))
    return NewItem(
        text=article.text,
        article_id=article_id,
        source=article.source,
        url=article.url,
        published=article.published,
    )


def check_paths(in_path: Path, out_path: Path, state_path: Path) -> None:
    """Refuse, before any work, paths the run would fail on only at the end, or that would destroy input.

    A missing parent directory of the output is created.
    """
    if not in_path.is_file():
        raise ConfigError(f"{in_path}: no such file" if not in_path.exists() else f"{in_path}: not a file")
    written = ((out_path, "output"), (partial_path(out_path), "temporary output"), (state_path, "state file"))
    for path, what in written:
        if path.is_dir():
            raise ConfigError(f"{path}: the {what} is a directory; name a file, e.g. {path / 'out.jsonl'}")
        if path.exists() and path.samefile(in_path):
            raise ConfigError(f"{path}: the {what} is the input file; it would be overwritten")
    for directory in {out_path.parent, state_path.parent}:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{directory}: cannot create the output directory ({exc.strerror})") from None
        if not os.access(directory, os.W_OK | os.X_OK):
            raise ConfigError(f"{directory}: the output directory is not writable")


def read_items(in_path: Path, max_chars: int) -> tuple[bytes, list[NewItem]]:
    data = in_path.read_bytes()
    items = [
        parse_line(line, number, max_chars)
        for number, line in enumerate(data.split(b"\n"), start=1)
        if line.strip()
    ]
    return data, items


@contextmanager
def _progress(enabled: bool, total: int, done: int) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    columns = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("extract", total=total, completed=done)
        yield lambda: progress.advance(task)


async def arun_batch(
    in_path: Path,
    out_path: Path,
    settings: Settings,
    extract: ExtractFn | None = None,
    *,
    config: ServiceSettings | None = None,
    state_path: Path | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
    retry_failed: bool = False,
    llm: LLM | None = None,
) -> BatchSummary:
    state_path = state_path or default_state_path(out_path)
    check_paths(in_path, out_path, state_path)
    config = config or load_service_settings()
    backend = llm or build_llm(settings)
    raw, items = read_items(in_path, settings.max_article_chars)
    setup = f"{settings.prompt_version}\0{backend.model_name}\0".encode()
    job_id = hashlib.sha256(setup + raw).hexdigest()[:32]
    store = Store(f"sqlite:///{state_path}")
    try:
        resumed = store.job_exists(job_id)
        if resumed:
            store.reset_running(job_id)
            store.requeue_failed(job_id, RETRYABLE_KINDS if retry_failed else TRANSIENT_KINDS)
        else:
            store.create_job(items, job_id=job_id)
        before = store.job_counts(job_id)
        assert before is not None
        finished = before.done + before.failed  # unreadable lines are finished from the start
        show = sys.stderr.isatty() if progress is None else progress
        with _progress(show, len(items), finished) as advance:
            extractor = CachedExtractor(store, settings, backend, extract)
            workers = JobWorkers(
                store, extractor, config, concurrency=concurrency, job_id=job_id, on_item_done=advance
            )
            await workers.drain()
        await anyio.to_thread.run_sync(_write_output, store, job_id, out_path)
        after = store.job_counts(job_id)
        assert after is not None
        already_done = finished if resumed else 0
        return BatchSummary(len(items), after.done, after.failed, already_done, out_path, state_path)
    finally:
        store.close()
        if llm is None:
            await backend.aclose()


def _write_output(store: Store, job_id: str, out_path: Path) -> None:
    partial = partial_path(out_path)
    with partial.open("w", encoding="utf-8") as out:
        for outcome in store.iter_outcomes(job_id):
            out.write(outcome_line(outcome))
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, out_path)


def run_batch(
    in_path: str | Path,
    out_path: str | Path,
    settings: Settings | None = None,
    extract: ExtractFn | None = None,
    *,
    config: ServiceSettings | None = None,
    state_path: Path | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
    retry_failed: bool = False,
    llm: LLM | None = None,
) -> BatchSummary:
    """Synchronous entry point for the CLI. ``progress`` None: a progress bar when stderr is a terminal."""
    return asyncio.run(
        arun_batch(
            Path(in_path),
            Path(out_path),
            settings or Settings(),
            extract,
            config=config,
            state_path=state_path,
            concurrency=concurrency,
            progress=progress,
            retry_failed=retry_failed,
            llm=llm,
        )
    )
