"""Article input: bytes or text in, validated plain text out (HTML reduced to its main text)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from extractor.core.errors import InputError

_HTML_HINT = re.compile(r"<(?:!doctype\s+html|html|head|body|article|p|div|br)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ArticleText:
    text: str  # what offsets point into
    format: Literal["text", "html"]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def decode(data: bytes, *, name: str = "input") -> str:
    """UTF-8 text from bytes, or an InputError saying exactly what is wrong."""
    if not data.strip():
        raise InputError(f"{name}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: binary data (NUL bytes), not a text or HTML article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert the file to UTF-8 first"
        ) from None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text[:4096]))


# A news page is mostly markup: the Telegraph page in evals/corpus/html is 212 KB around 6 KB of text.
# The article limit applies to the text extracted from it; the raw page gets this much more room.
HTML_RAW_FACTOR = 40


def raw_input_limit(text: str, max_chars: int) -> int:
    """The most characters an input may have before extraction: more for an HTML page."""
    return max_chars * HTML_RAW_FACTOR if looks_like_html(text) else max_chars


def html_to_text(html: str, *, name: str = "input") -> str:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise InputError(f"{name}: HTML without extractable article text")
    return str(text)


def prepare(text: str, *, max_chars: int, name: str = "input") -> ArticleText:
    """Validate an article and reduce HTML to its main text."""
    if not isinstance(text, str):
        raise InputError(f"{name}: expected text, got {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{name}: empty article text")
    if len(_CONTROL.findall(text[:8192])) > 8:
        raise InputError(f"{name}: looks like binary data, not article text")
    fmt: Literal["text", "html"] = "text"
    if looks_like_html(text):
        text = html_to_text(text, name=name)
        fmt = "html"
    if len(text) > max_chars:
        raise InputError(
            f"{name}: article is {len(text):,} characters, over the limit of {max_chars:,} "
            "(EXTRACTOR_MAX_ARTICLE_CHARS)"
        )
    return ArticleText(text=text, format=fmt)


_FRONT_MATTER_LINE = re.compile(r"([a-z_]+):[ \t]*(.*)")
FRONT_MATTER_KEYS = frozenset({"url", "published", "outlet", "source", "title"})


@dataclass(frozen=True)
class FrontMatter:
    """``key: value`` lines heading an article file, before a blank line (the corpus layout)."""

    fields: dict[str, str]
    body: str

    @property
    def published(self) -> str | None:
        value = self.fields.get("published", "").strip()
        return None if not value or value.lower().startswith("unknown") else value

    @property
    def source(self) -> str | None:
        # "Global Times (Reuters copy)": the outlet is the part before the parenthesis.
        value = self.fields.get("source") or self.fields.get("outlet") or ""
        return value.split(" (", 1)[0].strip() or None

    @property
    def url(self) -> str | None:
        return self.fields.get("url", "").strip() or None


def split_front_matter(text: str) -> FrontMatter:
    """The header fields and the article body; no header gives empty fields and the text unchanged.

    A header is two or more known ``key: value`` lines at the very top (an HTML file may wrap them in
    a ``<!-- -->`` comment), closed by a blank line. Offsets index the body.
    """
    lines = text.split("\n")
    fields: dict[str, str] = {}
    for i, line in enumerate(lines):
        if i == 0 and line.strip() == "<!--":
            continue
        match = _FRONT_MATTER_LINE.fullmatch(line.rstrip("\r"))
        if match and match.group(1) in FRONT_MATTER_KEYS:
            fields[match.group(1)] = match.group(2).strip()
            continue
        closing = line.strip() in {"", "-->"}
        if len(fields) >= 2 and closing:
            rest = lines[i + 1 :]
            if line.strip() == "-->" and rest and not rest[0].strip():
                rest = rest[1:]
            return FrontMatter(fields=fields, body="\n".join(rest))
        break
    return FrontMatter(fields={}, body=text)
