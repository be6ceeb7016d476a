"""Reading an article file: the corpus layout's header gives the article's fields, not its text."""

from __future__ import annotations

import json
from pathlib import Path

from extractor.pipeline.inputs import METADATA_FILE, read_article


def test_a_header_gives_the_fields_and_the_body_is_the_article(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "url: https://example.org/a\npublished: 2024-03-02\noutlet: Example News\n\n"
        "Qaani arrived in Baghdad.\n",
        encoding="utf-8",
    )
    article = read_article(str(path))
    assert article.text == "Qaani arrived in Baghdad.\n"
    assert (article.published, article.source, article.url) == (
        "2024-03-02",
        "Example News",
        "https://example.org/a",
    )


def test_a_sidecar_wins_over_the_header_and_plain_text_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("published: 2024-03-02\noutlet: Header Outlet\n\nBody.", encoding="utf-8")
    (tmp_path / METADATA_FILE).write_text(json.dumps({"b": {"source": "Sidecar Outlet"}}), encoding="utf-8")
    article = read_article(str(path))
    assert (article.text, article.source, article.published) == ("Body.", "Sidecar Outlet", "2024-03-02")
    plain = tmp_path / "c.txt"
    plain.write_text("Note: this is not a header.\n\nBody.", encoding="utf-8")
    assert read_article(str(plain)).text == "Note: this is not a header.\n\nBody."
