"""Command tree. Each command lives in its own module; this file only registers them."""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Annotated

import typer

from extractor.cli.consolidate_cmd import consolidate_command
from extractor.cli.eval_cmd import eval_command
from extractor.cli.extract_cmd import extract_command
from extractor.cli.help_format import install as install_help_format
from extractor.cli.schema_cmd import schema_command
from extractor.cli.service_cmds import batch_command, serve_command
from extractor.cli.view_cmd import view_command

install_help_format()

app = typer.Typer(
    name="extractor",
    help="Evidence-backed event extraction from news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"extractor {version('extractor')}")
        raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """Evidence-backed event extraction from news articles."""


app.command("extract")(extract_command)
app.command("schema")(schema_command)
app.command("batch")(batch_command)
app.command("serve")(serve_command)
app.command("eval")(eval_command)
app.command("consolidate")(consolidate_command)
app.command("view")(view_command)


def main() -> None:
    # instructor logs each failed attempt at ERROR; the CLI reports the outcome itself, once.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    app()
