"""Reading ArticleExtractions from files: one JSON object, a JSON array of them, or JSON Lines.

Keys the contract does not know (a gold file's "notes") are ignored by the contract models.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.core.contract import ArticleExtraction
from extractor.core.errors import InputError


def _documents(text: str, where: str) -> list[tuple[str, Any]]:
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as whole_error:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        docs: list[tuple[str, Any]] = []
        for n, line in lines:
            try:
                docs.append((f"{where}:{n}", json.loads(line)))
            except json.JSONDecodeError as line_error:
                # Report the whole-file error for a file that is neither JSON nor JSON Lines.
                error = whole_error if n == 1 else line_error
                raise InputError(f"{where}:{n}: not valid JSON: {error.msg}") from error
        return docs
    if isinstance(whole, list):
        return [(f"{where}[{i}]", doc) for i, doc in enumerate(whole)]
    return [(where, whole)]


def load_extractions(paths: Iterable[str | Path]) -> list[ArticleExtraction]:
    """Every ArticleExtraction in the given files, in file order; ``-`` reads standard input.

    Raises InputError naming the file (and line or index) of anything unreadable or invalid.
    """
    extractions: list[ArticleExtraction] = []
    for path in paths:
        where = str(path)
        try:
            text = sys.stdin.read() if where == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{where}: cannot read: {e}") from e
        for location, doc in _documents(text, where):
            try:
                extractions.append(ArticleExtraction.model_validate(doc))
            except ValidationError as e:
                first = e.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "(document)"
                summary = f"{e.error_count()} errors; {field}: {first['msg']}"
                raise InputError(f"{location}: not an article extraction ({summary})") from e
    return extractions
