"""The ``extractor`` command line."""

from __future__ import annotations

from extractor.cli.app import app, main

__all__ = ["app", "main"]
