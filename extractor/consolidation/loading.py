"""Reading extraction outputs: one JSON object, a JSON array of them, or JSON Lines.

Each record is an ArticleExtraction or a JSON Lines record. ``extract -o``, ``batch -o`` and the job
results write ``{"index", "article_id", "status", "result" | "error"}``; outputs of older versions of
``extract -o`` hold the extraction itself or ``{"article": {"id"}, "error": {"kind", "message"}}``, and
are still read. Keys the contract does not know (a gold file's "notes") are ignored by the contract
models.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class FailedArticle:
    """A record saying an article failed (or, in a batch, never finished): there is nothing to read."""

    article_id: str
    kind: str
    message: str
    location: str


@dataclass
class Outputs:
    """What a set of output files holds, in file order; ``records`` interleaves both kinds."""

    records: list[ArticleExtraction | FailedArticle] = field(
        default_factory=list[ArticleExtraction | FailedArticle]
    )

    @property
    def extractions(self) -> list[ArticleExtraction]:
        return [r for r in self.records if isinstance(r, ArticleExtraction)]

    @property
    def failures(self) -> list[FailedArticle]:
        return [r for r in self.records if isinstance(r, FailedArticle)]


def _failure(doc: dict[str, Any], location: str) -> FailedArticle | None:
    error = doc.get("error")
    if doc.get("status") == "pending" and error is None:
        kind, message = "pending", "not finished when the output was written"
    elif isinstance(error, dict) and isinstance(error.get("message"), str):
        kind, message = str(error.get("kind") or "error"), error["message"]
    else:
        return None
    article = doc.get("article")
    candidates = [
        doc.get("article_id"),
        article.get("id") if isinstance(article, dict) else None,
        f"#{doc['index']}" if isinstance(doc.get("index"), int) else None,
    ]
    article_id = next((str(c) for c in candidates if isinstance(c, str | int) and str(c)), location)
    return FailedArticle(article_id, kind, message, location)


def _record(doc: Any, location: str) -> ArticleExtraction | FailedArticle:
    payload, prefix = doc, ""
    if isinstance(doc, dict):
        if doc.get("status") in ("failed", "pending") or ("error" in doc and "result" not in doc):
            failure = _failure(doc, location)
            if failure is None:
                raise InputError(f"{location}: neither an article extraction nor a failure record")
            return failure
        if "result" in doc and doc.get("status", "ok") == "ok":
            payload, prefix = doc["result"], "result."
    try:
        return ArticleExtraction.model_validate(payload)
    except ValidationError as e:
        first = e.errors()[0]
        field_name = prefix + ".".join(str(p) for p in first["loc"]) if first["loc"] else "(document)"
        summary = f"{e.error_count()} errors; {field_name}: {first['msg']}"
        raise InputError(f"{location}: not an article extraction ({summary})") from e


def load_outputs(paths: Iterable[str | Path]) -> Outputs:
    """Every extraction and every failure record in the given files; ``-`` reads standard input.

    Raises InputError naming the file (and line or index) of anything unreadable, or of a record that
    is neither an extraction nor a failure.
    """
    outputs = Outputs()
    for path in paths:
        where = str(path)
        try:
            text = sys.stdin.read() if where == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{where}: cannot read: {e}") from e
        outputs.records += [_record(doc, location) for location, doc in _documents(text, where)]
    return outputs


def load_extractions(paths: Iterable[str | Path]) -> list[ArticleExtraction]:
    """Every ArticleExtraction in the given files, in file order; ``-`` reads standard input.

    Strict: a failure record is an InputError too (``load_outputs`` reads past them). Raises InputError
    naming the file (and line or index) of anything unreadable or invalid.
    """
    outputs = load_outputs(paths)
    if outputs.failures:
        first = outputs.failures[0]
        raise InputError(
            f"{first.location}: article {first.article_id!r} failed ({first.kind}): {first.message}"
        )
    return outputs.extractions


def skipped_warning(failures: list[FailedArticle], shown: int = 10) -> str:
    """One line naming the failed articles a command left out."""
    ids = [f.article_id for f in failures]
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"skipped {len(ids)} failed article(s): ids {', '.join(ids[:shown])}{more}"
