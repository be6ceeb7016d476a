"""The viewer page: per article the text with every evidence span marked, the items beside it.

The page is one file with inline CSS and JS (no fetches, so it works offline and from a mail
attachment). The template ``templates/view.html.j2`` renders with autoescape on; the only markup
marked safe is the highlighted text built here, where every piece of article text is escaped.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape
from pydantic import BaseModel

from extractor.consolidation.loading import FailedArticle, Outputs
from extractor.core.article import looks_like_html, prepare
from extractor.core.contract import Actor, ArticleExtraction, Claim, Meeting, Place, Visit, When
from extractor.core.errors import InputError
from extractor.pipeline.inputs import read_article

ITEM_TYPES = ("actor", "visit", "meeting", "claim")
# Big enough for any page: the viewer only reads text back, it never sends it to a model.
_MAX_CHARS = 50_000_000

Item = Actor | Visit | Meeting | Claim


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    item_type: str
    key: str
    label: str


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` escaped, each stretch under evidence wrapped in ``<mark data-keys=...>``.

    Overlapping spans are flattened: a stretch takes the colour of the shortest span covering it (the
    most specific, an actor's name inside a visit's sentence) and lists every covering item in
    ``data-keys``, so selecting either item lights it up.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    for lo, hi in itertools.pairwise(cuts):
        chunk = str(escape(text[lo:hi]))
        covering = [s for s in spans if s.start <= lo and hi <= s.end]
        if not covering:
            out.append(chunk)
            continue
        inner = min(covering, key=lambda s: (s.end - s.start, ITEM_TYPES.index(s.item_type)))
        keys = list(dict.fromkeys(s.key for s in covering))
        labels = "; ".join(dict.fromkeys(s.label for s in covering))
        classes = f"t-{inner.item_type}" + (" multi" if len(keys) > 1 else "")
        out.append(
            f'<mark class="{classes}" data-keys="{escape(" ".join(keys))}" title="{escape(labels)}">'
            f"{chunk}</mark>"
        )
    return Markup("".join(out))


# --- article texts ------------------------------------------------------------------------------------


def _text_of_file(path: Path) -> str:
    raw = read_article(str(path)).text
    # Offsets index the text extraction saw: for an HTML page that is its main text, not the markup.
    return prepare(raw, max_chars=_MAX_CHARS, name=str(path)).text if looks_like_html(raw) else raw


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ArticleTexts:
    """Article texts the outputs do not carry: given files (by stem or content) and a folder (by stem)."""

    by_key: dict[str, str] = field(default_factory=dict[str, str])
    folder: Path | None = None

    @classmethod
    def from_files(cls, files: Iterable[str | Path], folder: Path | None = None) -> ArticleTexts:
        """Raises InputError for a file that cannot be read as an article."""
        texts = cls(folder=folder)
        for spec in files:
            path = Path(spec)
            text = _text_of_file(path)
            texts.by_key[path.stem] = text
            texts.by_key["sha256:" + _sha256(text)] = text
        return texts

    def lookup(self, extraction: ArticleExtraction) -> tuple[str | None, str]:
        """The text the offsets index and where it came from ("" when there is none)."""
        info = extraction.article
        if info.text:
            return info.text, "the output"
        if info.id in self.by_key:
            return self.by_key[info.id], "the given file"
        if info.content_sha256 and "sha256:" + info.content_sha256 in self.by_key:
            return self.by_key["sha256:" + info.content_sha256], "the given file with the same content"
        if self.folder is not None:
            candidates = sorted(p for p in self.folder.glob("*") if p.stem == info.id and p.is_file())
            for path in candidates:
                try:
                    return _text_of_file(path), str(path)
                except InputError:
                    continue
        return None, ""


# --- items ---------------------------------------------------------------------------------------------


def _value(name: str, value: object, names: dict[str, str]) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(name, v, names) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Place):
        return f"{value.name}, {value.country}" if value.country else value.name
    if isinstance(value, When):
        date = f"{value.date} ({value.precision})" if value.date else "unknown"
        return f"{date}, from “{value.text}”" if value.text else date
    if isinstance(value, BaseModel):
        return str(value.model_dump(mode="json"))
    text = str(value)
    if name.endswith(("_id", "_ids")) and text in names:
        return f"{text} {names[text]}"
    return text


def _fields(item: Item, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, _value(name, value, names)) for name, value in item if name not in ("id", "evidence")]


def _label(item: Item, names: dict[str, str]) -> str:
    def who(ids: list[str]) -> str:
        return ", ".join(names.get(i, i) for i in ids)

    if isinstance(item, Actor):
        return f"{item.name} ({item.kind})"
    if isinstance(item, Visit):
        return f"{who(item.visitor_ids)} → {_value('destination', item.destination, names)}"
    if isinstance(item, Meeting):
        where = f" in {item.location.name}" if item.location else ""
        return f"{who(item.participant_ids)}{where}"
    statement = item.statement if len(item.statement) <= 90 else item.statement[:89] + "…"
    return f"{item.source}: {statement}"


@dataclass(frozen=True)
class EvidenceView:
    text: str
    start: int
    end: int
    shown: bool  # highlighted in the text (False: no text, or the offsets do not match it)


@dataclass(frozen=True)
class ItemView:
    key: str  # unique in the page: article index and item id
    item_id: str
    item_type: str
    label: str
    fields: list[tuple[str, str]]
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class ArticleView:
    anchor: str
    article_id: str
    facts: list[tuple[str, str]]
    text: Markup | None
    text_source: str
    items: list[ItemView]
    model_warnings: list[str]
    view_warnings: list[str]

    def of_type(self, item_type: str) -> list[ItemView]:
        return [i for i in self.items if i.item_type == item_type]


def article_view(index: int, extraction: ArticleExtraction, texts: ArticleTexts) -> ArticleView:
    anchor = f"art-{index}"
    text, text_source = texts.lookup(extraction)
    info = extraction.article
    notes: list[str] = []
    if text is None:
        notes.append(
            "Article text not available (the output does not carry it): evidence is listed as quotes, "
            "not highlighted. Give the article file or --text DIR to see it in place."
        )
    elif info.content_sha256 and info.content_sha256 != _sha256(text):
        notes.append(f"The text from {text_source} is not the one extracted (sha256 differs).")
    names = {a.id: a.name for a in extraction.actors}
    spans: list[Span] = []
    items: list[ItemView] = []
    groups: list[tuple[str, list[Actor] | list[Visit] | list[Meeting] | list[Claim]]] = [
        ("actor", extraction.actors),
        ("visit", extraction.visits),
        ("meeting", extraction.meetings),
        ("claim", extraction.claims),
    ]
    for item_type, group in groups:
        for item in group:
            key = f"{anchor}-{item.id}"
            label = _label(item, names)
            evidence: list[EvidenceView] = []
            for ev in item.evidence:
                shown = text is not None and text[ev.start : ev.end] == ev.text
                if text is not None and not shown:
                    # A wrong highlight would be worse than none: the item keeps the quote only.
                    notes.append(
                        f"{item.id}: evidence [{ev.start}:{ev.end}] does not match the text; "
                        f"not highlighted (“{ev.text[:60]}”)"
                    )
                if shown:
                    spans.append(Span(ev.start, ev.end, item_type, key, f"{item.id} {label}"))
                evidence.append(EvidenceView(ev.text, ev.start, ev.end, shown))
            items.append(ItemView(key, item.id, item_type, label, _fields(item, names), evidence))
    facts = [
        (name, value)
        for name, value in (
            ("source", info.source),
            ("url", info.url),
            ("published", info.published),
            ("model", extraction.meta.model),
            ("prompt", extraction.meta.prompt_version),
            ("text from", text_source or None),
        )
        if value
    ]
    return ArticleView(
        anchor=anchor,
        article_id=info.id,
        facts=facts,
        text=None if text is None else highlight(text, spans),
        text_source=text_source,
        items=items,
        model_warnings=list(extraction.meta.warnings),
        view_warnings=notes,
    )


# --- the page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSummary:
    html: str
    articles: int
    failed: int
    without_text: list[str]
    unmatched_spans: int


def render_view(
    outputs: Outputs, texts: ArticleTexts | None = None, title: str = "Extractions"
) -> PageSummary:
    texts = texts or ArticleTexts()
    articles = [article_view(i, x, texts) for i, x in enumerate(outputs.extractions)]
    failures: list[FailedArticle] = outputs.failures
    env = Environment(loader=PackageLoader("extractor.viewer", "templates"), autoescape=True)
    html = env.get_template("view.html.j2").render(
        title=title,
        generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        articles=articles,
        failures=failures,
        item_types=ITEM_TYPES,
    )
    unmatched = sum(
        1 for a in articles for i in a.items for e in i.evidence if a.text is not None and not e.shown
    )
    return PageSummary(
        html=html,
        articles=len(articles),
        failed=len(failures),
        without_text=[a.article_id for a in articles if a.text is None],
        unmatched_spans=unmatched,
    )
