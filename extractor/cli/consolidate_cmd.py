"""``extractor consolidate``: one timeline from many articles' extractions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from extractor.consolidation import (
    consolidate,
    load_outputs,
    render_html,
    render_json,
    render_markdown,
    skipped_warning,
)
from extractor.core.errors import ExtractorError

err = Console(stderr=True, soft_wrap=True)


def consolidate_command(
    extractions: Annotated[
        list[str],
        typer.Argument(help="contract JSON files or JSON Lines (extract -o, batch -o); - reads stdin"),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json | md | html")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
    ] = None,
) -> None:
    """Merge actors and events across articles into a timeline with its supporting evidence."""
    renderers = {"json": render_json, "md": render_markdown, "html": render_html}
    if fmt not in renderers:
        raise typer.BadParameter(f"{fmt!r}: choose json, md or html", param_hint="--format")
    try:
        outputs = load_outputs(extractions)
        timeline = consolidate(outputs.extractions)
    except ExtractorError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    if outputs.failures:
        # Failed articles have nothing to merge; the timeline is of the rest, and the gap is said once.
        err.print(f"[yellow]warning[/yellow] {escape(skipped_warning(outputs.failures))}", highlight=False)
    text = renderers[fmt](timeline)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)
