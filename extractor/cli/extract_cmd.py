"""``extractor extract FILE...``: contract JSON for one file, JSON Lines for several."""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from extractor.cli import options as opt
from extractor.core.errors import (
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
    ExtractorError,
    InternalError,
    retryable_kinds,
)
from extractor.core.progress import Step, listening
from extractor.pipeline.extraction import aextract
from extractor.pipeline.inputs import read_article
from extractor.providers.llm import LLM, build_llm
from extractor.providers.settings import Settings

err = Console(stderr=True, soft_wrap=True)

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


def ok_record(index: int, article_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """The line of an extracted article: the shape ``batch -o`` and the job results write."""
    return {"index": index, "article_id": article_id, "status": "ok", "result": result}


def failure_record(index: int, article_id: str, exc: ExtractorError) -> dict[str, Any]:
    """The line of an article that failed: it is reported, never dropped."""
    return {
        "index": index,
        "article_id": article_id,
        "status": "failed",
        "error": {"kind": exc.kind, "message": str(exc)},
    }


@dataclass
class Run:
    """What a run has written so far, for the summary and for the message after Ctrl-C."""

    files: list[str]
    skipped: int = 0
    written: int = 0
    failed: int = 0
    pending: list[str] = field(default_factory=list[str])


class Status:
    """The terminal's account of what is happening: which file, and whether the model is being
    assembled, loaded or is generating (with the tokens it has produced and how fast)."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.files: TaskID | None = (
            progress.add_task("articles", total=total, stage=False) if total > 1 else None
        )
        self.stage = progress.add_task("starting", total=None, stage=True)
        self.tokens = 0
        self.model_seconds = 0.0
        self.calls = 0

    def _show(self, text: str) -> None:
        # A new stage restarts the clock beside it: the elapsed time is the current step's.
        self.progress.reset(self.stage, total=None, description=text)

    def article(self, spec: str) -> None:
        self.tokens, self.model_seconds, self.calls = 0, 0.0, 0
        self._show(f"reading {escape(spec)}")

    def __call__(self, step: Step) -> None:
        if step.stage == "assembling":
            self._show(f"assembling the embedded model ({escape(step.detail)})")
        elif step.stage == "loading":
            self._show(f"loading the embedded model ({escape(step.detail)})")
        elif step.stage == "generating":
            self.calls += 1
            done = ""
            if self.tokens:
                rate = self.tokens / self.model_seconds if self.model_seconds else 0.0
                done = f", {self.tokens} tokens so far at {rate:.1f} tok/s"
            self._show(f"generating (model call {self.calls}{done})")
        elif step.stage == "generated":
            self.tokens += step.tokens
            self.model_seconds += step.seconds

    def advance(self) -> None:
        if self.files is not None:
            self.progress.advance(self.files)


class _FilesOnly(ProgressColumn):
    """A column shown on the articles row only; the step row has no length to draw."""

    def __init__(self, inner: ProgressColumn) -> None:
        super().__init__()
        self.inner = inner

    def render(self, task: Task) -> RenderableType:
        return "" if task.fields.get("stage") else self.inner.render(task)


@contextmanager
def _status(total: int) -> Iterator[Status | None]:
    # Piped or redirected stderr gets no progress at all: only the errors and the summary.
    if not err.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        _FilesOnly(BarColumn()),
        _FilesOnly(MofNCompleteColumn()),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        status = Status(progress, total)
        with listening(status):
            yield status


def _keep_finished(output: Path) -> set[str]:
    """Rewrite ``output`` keeping what an earlier run finished; return those article ids (--resume).

    A line cut short by the interruption and an article that failed for a passing reason (the
    backend was down) are dropped: those articles run again.
    """
    done: set[str] = set()
    if not output.is_file():
        return done
    kept: list[str] = []
    for line in output.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        error = record.get("error")
        if isinstance(error, dict) and error.get("kind") in retryable_kinds():
            continue
        article = record.get("article")
        article_id = record.get("article_id") or (article.get("id") if isinstance(article, dict) else None)
        if isinstance(article_id, str):
            done.add(article_id)
            kept.append(line + "\n")
    output.write_text("".join(kept), encoding="utf-8")
    return done


async def _run(
    run: Run,
    settings: Settings,
    published: str | None,
    out: IO[str],
    json_lines: bool,
    done: set[str],
    llm: LLM,
) -> ConfigError | None:
    """Extract each file in turn; a configuration error stops the run (every article would fail)."""
    run.pending = list(run.files)
    try:
        with _status(len(run.files)) as status:
            for index, spec in enumerate(run.files):
                article_id = Path(spec).stem if spec != "-" else "stdin"
                if status is not None:
                    status.article(spec)
                try:
                    article = read_article(spec)
                    article_id = article.article_id
                    if article_id in done:
                        run.skipped += 1
                        run.pending.remove(spec)
                        if status is not None:
                            status.advance()
                        continue
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
                    error = (
                        exc
                        if isinstance(exc, ExtractorError)
                        else InternalError(f"{type(exc).__name__}: {exc}")
                    )
                    if json_lines:
                        out.write(
                            json.dumps(failure_record(index, article_id, error), ensure_ascii=False) + "\n"
                        )
                        out.flush()
                    run.pending.remove(spec)
                    if isinstance(error, ConfigError):
                        return error
                    run.failed += 1
                    message = str(error) if str(error).startswith(spec) else f"{spec}: {error}"
                    err.print(f"[red]error[/red] {escape(message)}", highlight=False)
                    hint = _hint(error, settings)
                    if hint:
                        err.print(f"[yellow]hint[/yellow] {escape(hint)}", highlight=False)
                else:
                    if json_lines:
                        record = ok_record(index, article_id, result.model_dump(mode="json"))
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    else:
                        out.write(result.model_dump_json(indent=2) + "\n")
                    out.flush()
                    run.written += 1
                    run.pending.remove(spec)
                if status is not None:
                    status.advance()
    finally:
        await llm.aclose()
    return None


def _hint(error: ExtractorError, settings: Settings) -> str | None:
    if isinstance(error, BackendTimeout):
        return (
            f"each model request may take {settings.timeout_s:g} s; give it longer with --timeout SECONDS "
            "or EXTRACTOR_TIMEOUT_S (a long article on a busy CPU can need more than 600)"
        )
    if isinstance(error, BackendUnavailable) and not settings.embedded:
        return f"is an OpenAI-compatible server listening at {settings.base_url}?"
    return None


def _interrupted(run: Run, output: Path | None, argv_files: list[str]) -> None:
    total = len(run.files)
    finished = run.written + run.failed + run.skipped
    where = f" to {output}" if output is not None else ""
    err.print(
        f"\ninterrupted: {finished} of {total} article(s) done{where} "
        f"({run.written} extracted, {run.failed} failed); {len(run.pending)} not started or unfinished",
        highlight=False,
    )
    if output is not None and run.pending:
        again = shlex.join(["extractor", "extract", *argv_files, "-o", str(output), "--resume"])
        err.print(f"resume with the same command and --resume: {escape(again)}", highlight=False)


def extract_command(
    files: Annotated[
        list[str], typer.Argument(help="article files (text or HTML); - reads stdin", metavar="FILE")
    ],
    published: Annotated[
        str | None,
        typer.Option(
            "--published", help="publication date YYYY-MM-DD (overrides the article's)", metavar="DATE"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="write here instead of stdout; JSON Lines (the batch -o shape) for several files or a "
            ".jsonl name",
            metavar="FILE",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="with -o: keep what an interrupted run wrote there and extract only the rest",
        ),
    ] = False,
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
    """Extract actors, visits, meetings and claims, each with verified evidence offsets.

    One file prints its contract JSON; several write one JSON Lines record per file, in order:
    {index, article_id, status: ok, result} or {index, article_id, status: failed, error: {kind,
    message}}. Exit status: 0 all extracted, 1 some articles failed, 2 usage or configuration error,
    130 interrupted.
    """
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
    if resume and output is None:
        raise typer.BadParameter("--resume needs -o FILE, the output to continue", param_hint="--resume")
    json_lines = len(files) > 1 or (output is not None and output.suffix.lower() in JSON_LINES_SUFFIXES)
    run = Run(files=list(files))
    done: set[str] = set()
    failure: ConfigError | None = None
    try:
        # Before the output is opened: a configuration error must not truncate an earlier output.
        llm = build_llm(settings)
    except ConfigError as exc:  # a remote URL without a model name, and the like
        err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    try:
        if output is None:
            failure = asyncio.run(_run(run, settings, published, sys.stdout, json_lines, done, llm))
        else:
            mode = "a" if resume else "w"
            try:
                done = _keep_finished(output) if resume else set()
                out = output.open(mode, encoding="utf-8")
            except OSError as exc:
                err.print(
                    f"[red]error[/red] {escape(f'{output}: cannot write: {exc.strerror}')}", highlight=False
                )
                raise typer.Exit(2) from None
            with out:
                failure = asyncio.run(_run(run, settings, published, out, json_lines, done, llm))
    except KeyboardInterrupt:
        _interrupted(run, output, list(files))
        raise typer.Exit(130) from None
    if failure is not None:
        err.print(f"[red]error[/red] {escape(str(failure))}", highlight=False)
        raise typer.Exit(2)
    if run.skipped:
        err.print(f"{run.skipped} article(s) already in {output}, skipped", highlight=False)
    if run.failed:
        err.print(f"{run.failed} of {len(files)} article(s) failed", highlight=False)
        raise typer.Exit(1)
