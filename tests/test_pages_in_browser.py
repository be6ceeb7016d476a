"""The pages people look at, opened in a real headless Chromium with the network cut off.

The viewer, the eval report, the timeline and the service's /docs must work offline: every request that
is not to a file or to 127.0.0.1 is aborted and fails the test, and so does any console error or
uncaught exception. Chromium is Debian's package (``.ci/run`` installs it); Playwright only drives it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from typer.testing import Result

from extractor.evaluation.gold import load_gold_file, repo_path
from tests.service_helpers import make_app
from tests.test_cli import assert_no_traceback, invoke, stderr_of
from tests.test_cli_consolidate_outputs import clean_environment

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the dev extra has it
    sync_api = None  # type: ignore[assignment]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = (
    "playwright is not installed (pip install -e '.[dev]')"
    if sync_api is None
    else "no chromium on PATH (apt-get install chromium; .ci/run does it)"
    if CHROMIUM is None
    else None
)
if MISSING and os.environ.get("CI"):
    # A skip would let CI pass without ever opening a page.
    pytest.fail(f"CI must run the browser tests: {MISSING}", pytrace=False)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
__all__ = ["clean_environment"]  # the CLI runs below must not pick up a developer's EXTRACTOR_* settings

GOLD = repo_path("evals/gold/short/01_shafaq-araghchi-baghdad.json")
CORPUS = repo_path("evals/corpus/short")
TIMELINE_GOLD = sorted(repo_path("evals/gold/short").glob("0[1-4]_*.json"))
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page whose outside requests are aborted and recorded, with its console errors and exceptions."""

    page: Any
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests to the outside: {self.outside}"
        assert self.page_errors == [], f"uncaught exceptions: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


def _local(url: str) -> bool:
    parts = urlsplit(url)
    # data: and blob: never leave the page; everything else must be a file or this machine.
    return parts.scheme in {"file", "data", "blob"} or (
        parts.scheme in {"http", "https", "ws"} and parts.hostname == "127.0.0.1"
    )


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen = Watched(page)

    def gate(route: Any) -> None:
        if _local(route.request.url):
            route.continue_()
        else:
            seen.outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
    yield seen
    context.close()


def run_cli(*args: str | Path) -> Result:
    """``invoke`` in a thread of its own, exit code checked: Playwright's sync API keeps an event loop
    running on this thread, and commands that use asyncio (eval) cannot start theirs beside it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(invoke, *args).result()
    assert_no_traceback(result)
    assert result.exit_code == 0, stderr_of(result)
    return result


def _covered(text: str, spans: list[tuple[int, int]]) -> str:
    """The text under the union of ``spans``, in order: what the page marks for an item."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return "".join(text[start:end] for start, end in merged)


# --- (a) extractor view --------------------------------------------------------------------------------


def test_view_page_selects_an_item_and_highlights_exactly_its_evidence(
    tmp_path: Path, watched: Watched
) -> None:
    # A gold file is a real extraction whose offsets index the article body (the corpus file minus its
    # header), so the output and the text given to `view` are those two.
    gold = load_gold_file(GOLD, CORPUS, "short")
    output = tmp_path / "out.json"
    output.write_text(gold.extraction.model_dump_json(indent=2), encoding="utf-8")
    article = tmp_path / f"{gold.article_id}.txt"
    with article.open("w", encoding="utf-8", newline="") as handle:
        handle.write(gold.text)
    page_file = tmp_path / "view.html"
    result = run_cli("view", output, article, "-o", page_file)
    assert "do not match" not in stderr_of(result)

    page = watched.page
    page.goto(page_file.as_uri())
    extraction = gold.extraction
    items = [*extraction.actors, *extraction.visits, *extraction.meetings, *extraction.claims]
    assert {type(item).__name__ for item in items} == {"Actor", "Visit", "Meeting", "Claim"}
    for item in items:
        button = page.locator(f'button.item[data-key="art-0-{item.id}"]')
        button.click()
        detail = page.locator(f"#detail-art-0-{item.id}")
        assert detail.is_visible(), item.id
        assert page.locator(".detail:visible").count() == 1, item.id
        assert item.id in detail.inner_text()
        assert "selected" in (button.get_attribute("class") or "")
        active = page.locator("mark.active")
        assert active.first.is_visible(), item.id
        expected = _covered(gold.text, [(ev.start, ev.end) for ev in item.evidence])
        assert "".join(active.all_text_contents()) == expected, item.id
        if len(item.evidence) == 1:
            assert expected == item.evidence[0].text
    watched.assert_clean()


# --- (b) the eval report ---------------------------------------------------------------------------------


def test_eval_report_renders_its_tables(tmp_path: Path, watched: Watched) -> None:
    report = tmp_path / "report.html"
    run_cli("eval", "--replay", "--set", "short", "--article", "01", "--report", report)

    page = watched.page
    page.goto(report.as_uri())
    tables = page.locator("table")
    assert tables.count() >= 2
    for index in range(tables.count()):
        table = tables.nth(index)
        assert table.is_visible()
        assert table.locator("tr").count() >= 2, f"table {index} has no rows"
        assert table.bounding_box()["height"] > 20
    summary = page.locator("table.summary")
    assert "micro F1" in summary.inner_text()
    assert page.get_by_role("heading", name="01_shafaq-araghchi-baghdad").is_visible()
    watched.assert_clean()


def test_eval_report_compares_candidate_and_baseline_with_working_filters(
    tmp_path: Path, watched: Watched
) -> None:
    report = tmp_path / "versus.html"
    run_cli("eval", "--replay", "--set", "short", "--baseline", "plain-instructor", "--report", report)
    page = watched.page
    page.goto(report.as_uri())
    # The regression section comes before the summary, whatever it holds.
    heading = page.locator("#regressions-heading")
    assert heading.is_visible()
    assert heading.bounding_box()["y"] < page.get_by_role("heading", name="Summary").bounding_box()["y"]
    assert page.locator("#regressions").is_visible()
    diffs = page.locator("table.diff")
    assert diffs.count() >= 1 and diffs.first.is_visible()
    assert page.locator("tr.diff-gained").count() >= 1

    sections = page.locator("section.article")
    total = sections.count()
    assert total >= 2
    assert page.locator("#filter-count").inner_text() == f"{total} article(s) shown"
    # Type filter: only claim rows stay visible.
    page.select_option("#filter-type", "claims")
    visible_types = page.eval_on_selector_all(
        "section.article:not([hidden]) [data-type]",
        "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.type)",
    )
    assert visible_types and set(visible_types) == {"claims"}
    page.select_option("#filter-type", "")
    # Set filter: a set that is not in the report hides nothing it should not, "short" shows all.
    page.select_option("#filter-set", "short")
    assert page.locator("section.article:visible").count() == total
    watched.assert_clean()


def test_eval_report_lists_regressions_worst_first(tmp_path: Path, watched: Watched) -> None:
    report = tmp_path / "worse.html"
    # The weaker prompt as candidate: its articles regress, each listed with its drop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(
            invoke,
            "eval",
            "--replay",
            "--set",
            "short",
            "--prompt",
            "plain-instructor",
            "--baseline",
            "v5",
            "--report",
            report,
        ).result()
    assert_no_traceback(result)
    assert result.exit_code == 1  # the candidate is worse than the baseline: the gate fails
    page = watched.page
    page.goto(report.as_uri())
    items = page.locator("#regressions li")
    assert items.count() >= 1 and items.first.is_visible()
    drops = [float(t) for t in page.locator("#regressions li .delta-neg").all_inner_texts()]
    assert drops == sorted(drops) and all(d < 0 for d in drops)
    # Each entry links to its article, which shows what was lost.
    items.first.locator("a").click()
    target = page.locator("section.article:target")
    assert target.locator("tr.diff-lost").count() >= 1
    page.check("#filter-changed")
    assert page.locator("section.article:visible").count() >= 1
    watched.assert_clean()


# --- (c) the timeline ------------------------------------------------------------------------------------


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(
    "golds",
    [
        TIMELINE_GOLD,
        # Every short-set article: events bunched at the end of the axis, where labels used to pile up.
        sorted(repo_path("evals/gold/short").glob("[0-9]*.json")),
    ],
    ids=["four-articles", "whole-short-set"],
)
def test_timeline_labels_render_inside_the_axis_without_overlapping(
    tmp_path: Path, watched: Watched, golds: list[Path]
) -> None:
    timeline = tmp_path / "timeline.html"
    run_cli("consolidate", *golds, "--format", "html", "-o", timeline)

    page = watched.page
    page.goto(timeline.as_uri())
    axis = page.locator("svg.axis")
    assert axis.is_visible()
    frame = axis.bounding_box()
    labels = axis.locator("text")
    assert labels.count() >= 2
    boxes: list[tuple[str, dict[str, float]]] = []
    for index in range(labels.count()):
        label = labels.nth(index)
        text = label.text_content() or ""
        assert text.strip(), f"label {index} is empty"
        box = label.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, text
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], text
        assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"], text
        boxes.append((text, box))
    clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if _overlap(ba, bb)]
    assert clashes == [], f"labels drawn over each other: {clashes}"
    assert page.get_by_role("heading", name="Events").is_visible()
    # Articles are named by their outlet, not only by id.
    assert page.locator("cite").count() >= 1 and "Shafaq News" in page.locator("body").inner_text()
    watched.assert_clean()


# --- (d) the service's /docs -------------------------------------------------------------------------------


@pytest.fixture
def live_service(tmp_path: Path) -> Iterator[str]:
    # A socket bound here (port 0) hands uvicorn a free port with no race between choosing and binding.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(tmp_path), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def test_docs_render_the_operations_offline(live_service: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{live_service}/docs", wait_until="load")
    watched.assert_clean()  # a CDN script would fail here, not as a timeout waiting for the UI below
    page.locator(".opblock").first.wait_for()
    sections = [t.strip() for t in page.locator("h3.opblock-tag a").all_text_contents()]
    assert sections == ["extraction", "jobs", "health", "metrics"], sections
    paths = page.locator(".opblock .opblock-summary-path").all_text_contents()
    assert [p.replace("\u200b", "") for p in paths] == [
        "/v1/extract",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}",  # GET the status, DELETE to cancel
        "/v1/jobs/{job_id}/results",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    # The request-body example is what a person sees when they open the operation.
    page.locator("#operations-extraction-extract_v1_extract_post .opblock-summary").click()
    example = page.locator("#operations-extraction-extract_v1_extract_post .body-param__example")
    example.wait_for()
    assert "Araghchi" in example.inner_text()
    watched.assert_clean()
