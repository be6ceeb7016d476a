"""``extractor view``: extraction outputs as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from extractor.consolidation import load_outputs
from extractor.core.errors import ExtractorError
from extractor.viewer import ArticleTexts, render_view

err = Console(stderr=True, soft_wrap=True)

OUTPUT_SUFFIXES = (".json", ".jsonl", ".ndjson")


def view_command(
    files: Annotated[
        list[str],
        typer.Argument(
            help="extraction outputs (.json, .jsonl from extract -o or batch -o; - reads stdin) and, "
            "optionally, the article files they came from (matched by file stem or content)"
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="the HTML page to write")] = Path(
        "view.html"
    ),
    text_dir: Annotated[
        Path | None,
        typer.Option(
            "--text", help="folder of article files named <article id>.<ext>, for outputs without text"
        ),
    ] = None,
) -> None:
    """One HTML page: each article's text with its evidence highlighted, items, warnings, failures."""
    outputs_given = [f for f in files if f == "-" or f.lower().endswith(OUTPUT_SUFFIXES)]
    article_files = [f for f in files if f not in outputs_given]
    if not outputs_given:
        raise typer.BadParameter("no extraction output given (.json, .jsonl or -)", param_hint="FILES")
    if text_dir is not None and not text_dir.is_dir():
        raise typer.BadParameter(f"{text_dir}: not a folder", param_hint="--text")
    try:
        outputs = load_outputs(outputs_given)
        texts = ArticleTexts.from_files(article_files, folder=text_dir)
        page = render_view(outputs, texts)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page.html, encoding="utf-8")
    except OSError as exc:
        err.print(f"[red]error[/red] {escape(f'{output}: cannot write: {exc}')}", highlight=False)
        raise typer.Exit(2) from None
    except ExtractorError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if page.without_text:
        shown = ", ".join(page.without_text[:10]) + (" ..." if len(page.without_text) > 10 else "")
        err.print(
            f"[yellow]warning[/yellow] no text for {len(page.without_text)} article(s), evidence shown as "
            f"quotes (give the article files or --text DIR): {escape(shown)}",
            highlight=False,
        )
    if page.unmatched_spans:
        err.print(
            f"[yellow]warning[/yellow] {page.unmatched_spans} evidence span(s) do not match the text "
            "and are not highlighted (listed on the page)",
            highlight=False,
        )
    failed = f", {page.failed} failed" if page.failed else ""
    err.print(f"wrote {escape(str(output))}: {page.articles} article(s){failed}", highlight=False)
