"""``extractor extract FILE...``: contract JSON for one file, JSON Lines for several."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extractor.cli import options as opt
from extractor.core.errors import ExtractorError, InternalError
from extractor.pipeline.extraction import aextract
from extractor.pipeline.inputs import read_article
from extractor.providers.llm import build_llm
from extractor.providers.settings import Settings

err = Console(stderr=True, soft_wrap=True)


def failure_record(article_id: str, exc: ExtractorError) -> dict[str, object]:
    """The JSON Lines record of an article that failed: it is reported, never dropped."""
    return {"article": {"id": article_id}, "error": {"kind": exc.kind, "message": str(exc)}}


@contextmanager
def _progress(total: int) -> Iterator[Progress | None]:
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield progress


async def _run(files: list[str], settings: Settings, published: str | None, out: TextIO) -> int:
    llm = build_llm(settings)
    failures = 0
    try:
        with _progress(len(files)) as progress:
            task = progress.add_task("extracting", total=len(files)) if progress else None
            for spec in files:
                article_id = Path(spec).stem if spec != "-" else "stdin"
                try:
                    article = read_article(spec)
                    article_id = article.article_id
                    result = await aextract(
                        article.text,
                        published=published or article.published,
                        article_id=article.article_id,
                        source=article.source,
                        url=article.url,
                        settings=settings,
                        llm=llm,
                    )
                except Exception as exc:
                    # Whatever raised, this input ends as a recorded failure and the next one runs.
                    failures += 1
                    error = (
                        exc
                        if isinstance(exc, ExtractorError)
                        else InternalError(f"{type(exc).__name__}: {exc}")
                    )
                    message = str(error) if str(error).startswith(spec) else f"{spec}: {error}"
                    err.print(f"[red]error[/red] {message}", highlight=False)
                    if len(files) > 1:
                        out.write(json.dumps(failure_record(article_id, error), ensure_ascii=False) + "\n")
                else:
                    if len(files) > 1:
                        out.write(result.model_dump_json() + "\n")
                    else:
                        out.write(result.model_dump_json(indent=2) + "\n")
                out.flush()
                if progress is not None and task is not None:
                    progress.advance(task)
    finally:
        await llm.aclose()
    return failures


def extract_command(
    files: Annotated[list[str], typer.Argument(help="article files (text or HTML); - reads stdin")],
    published: Annotated[
        str | None, typer.Option("--published", help="publication date YYYY-MM-DD (overrides the article's)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
    ] = None,
    base_url: opt.BaseUrl = None,
    model: opt.Model = None,
    api_key: opt.ApiKey = None,
    prompt: opt.Prompt = None,
    timeout: opt.Timeout = None,
    max_retries: opt.Retries = None,
    cache: opt.Replay = None,
    cache_dir: opt.CacheDir = None,
    threads: opt.Threads = None,
) -> None:
    """Extract actors, visits, meetings and claims, each with verified evidence offsets."""
    settings = opt.build_settings(
        base_url=base_url,
        model=model,
        api_key=api_key,
        prompt_version=prompt,
        timeout_s=timeout,
        max_retries=max_retries,
        replay=cache,
        cache_dir=cache_dir,
        n_threads=threads,
    )
    out: TextIO
    if output is None:
        failures = asyncio.run(_run(files, settings, published, sys.stdout))
    else:
        with output.open("w", encoding="utf-8") as out:
            failures = asyncio.run(_run(files, settings, published, out))
    if failures:
        err.print(f"{failures} of {len(files)} article(s) failed")
        raise typer.Exit(1)
