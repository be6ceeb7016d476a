"""Reading articles from files and stdin, with optional per-file metadata beside them.

A ``metadata.json`` in the same folder maps file stems to {published, source, url}: the way to give a
publication date to an article whose text does not carry one (see seeds/metadata.json).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.core.article import decode, split_front_matter
from extractor.core.errors import InputError
from extractor.pipeline.extraction import article_id_for

METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class ArticleFile:
    article_id: str
    text: str
    published: str | None = None
    source: str | None = None
    url: str | None = None


def _sidecar(path: Path) -> dict[str, Any]:
    meta_path = path.parent / METADATA_FILE
    if not meta_path.is_file():
        return {}
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{meta_path}: unreadable metadata file: {exc}") from None
    entry = data.get(path.stem) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else {}


def read_article(spec: str, *, max_bytes: int = 20_000_000) -> ArticleFile:
    """An article from a path, or from standard input when ``spec`` is "-"."""
    if spec == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "stdin"
        meta: dict[str, Any] = {}
        article_id = None
    else:
        path = Path(spec)
        if not path.exists():
            raise InputError(f"{spec}: no such file")
        if not path.is_file():
            raise InputError(f"{spec}: not a file")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
        name = spec
        meta = _sidecar(path)
        article_id = path.stem
    if len(data) > max_bytes:
        raise InputError(f"{name}: file larger than {max_bytes:,} bytes")
    # A file may open with "url: / published: / outlet:" lines and a blank line (the corpus layout):
    # the article is the body after them, and a sidecar file's fields win over the header's.
    header = split_front_matter(decode(data, name=name))
    text = header.body
    return ArticleFile(
        article_id=article_id or article_id_for(text),
        text=text,
        published=meta.get("published") or header.published,
        source=meta.get("source") or header.source,
        url=meta.get("url") or header.url,
    )
