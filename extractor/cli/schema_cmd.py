"""``extractor schema``: print or rewrite the published JSON Schema files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from extractor.consolidation.schema import write_timeline_schema
from extractor.core.schema import contract_schema, render

CONTRACT_FILE = "article_extraction.schema.json"


def schema_command(
    write: Annotated[
        Path | None,
        typer.Option("--write", help="write the schema files into this directory (e.g. schemas/)"),
    ] = None,
) -> None:
    """The JSON Schema of the output contract (ArticleExtraction v1); --write also writes the timeline's."""
    text = render(contract_schema())
    if write is None:
        typer.echo(text, nl=False)
        return
    try:
        write.mkdir(parents=True, exist_ok=True)
        (write / CONTRACT_FILE).write_text(text, encoding="utf-8")
        timeline = write_timeline_schema(write)
    except OSError as exc:
        typer.echo(f"error: {write}: cannot write: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {write / CONTRACT_FILE}")
    typer.echo(f"wrote {timeline}")
