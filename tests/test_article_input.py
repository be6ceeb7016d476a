from pathlib import Path

import pytest

from extractor.core.article import decode, prepare, raw_input_limit
from extractor.core.errors import InputError

HTML = """<!doctype html><html><head><title>t</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe now</nav>
<article><h1>Quds Force commander in Baghdad</h1>
<p>Iran's Quds Force commander Esmail Qaani travelled to Iraq on Wednesday, in a rare publicly
announced visit days before an Arab Summit in Baghdad.</p>
<p>The visit was announced by Iraqi National Security Adviser Qasim Al Araji, who met Mr Qaani in
Baghdad and discussed the security agreement between the two countries.</p></article>
<footer>Copyright 2025. All rights reserved. Cookie settings.</footer></body></html>"""


def test_plain_text_passes_through_unchanged() -> None:
    text = "Qaani arrived in Baghdad on Wednesday.\n"
    article = prepare(text, max_chars=1000)
    assert article.text == text and article.format == "text"


def test_html_is_reduced_to_main_text() -> None:
    article = prepare(HTML, max_chars=10_000)
    assert article.format == "html"
    assert "Esmail Qaani travelled to Iraq" in article.text
    assert "Cookie settings" not in article.text and "<p>" not in article.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"   \n\t", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("Qaani arrived in Baghdad".encode("utf-16"), "binary data"),
        ("Qaani in Baghdad, caf\u00e9".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_bad_bytes_get_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode(data, name="article.txt")


def test_utf8_bom_is_dropped() -> None:
    assert decode("\ufeffQaani".encode()) == "Qaani"


def test_oversized_and_empty_text() -> None:
    with pytest.raises(InputError, match="over the limit"):
        prepare("word " * 100, max_chars=50)
    with pytest.raises(InputError, match="empty article text"):
        prepare("  \n ", max_chars=50)


CORPUS_HTML = Path(__file__).resolve().parents[1] / "evals" / "corpus" / "html"


@pytest.mark.parametrize(
    ("name", "must_have"),
    [
        ("01_telegraph-mugabe-house-arrest.html", "Mugabe"),
        ("02_washingtonpost-netanyahu-us-israel-ties.html", "Netanyahu"),
    ],
)
def test_real_article_pages_reduce_to_their_main_text(name: str, must_have: str) -> None:
    raw = (CORPUS_HTML / name).read_text(encoding="utf-8")
    assert len(raw) > 50_000  # the page is over the article limit; its text is not
    article = prepare(raw, max_chars=50_000, name=name)
    assert article.format == "html"
    assert must_have in article.text
    assert 1_000 < len(article.text) < 50_000
    assert "<div" not in article.text and "function(" not in article.text
    assert raw_input_limit(raw, 50_000) > len(raw)
