"""The durable store: atomic claims under contention, one result per key, claims that cannot be reused.

Runs on SQLite, and on PostgreSQL too when EXTRACTOR_TEST_POSTGRES_URL names a database to use (its tables
are dropped and recreated), e.g. postgresql+psycopg://user:pass@127.0.0.1/extractor_test.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extractor.service.store import Base, JobItem, NewItem, Store

POSTGRES_URL = os.environ.get("EXTRACTOR_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("set EXTRACTOR_TEST_POSTGRES_URL to run the store tests on PostgreSQL")
    engine = create_engine(POSTGRES_URL)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL


def test_concurrent_workers_claim_each_article_exactly_once(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text=f"t{i}") for i in range(300)])
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (item := store.claim_next(time.time())) is not None:
            with lock:
                claimed.append(item.index)
            assert store.finish_failed(item.id, item.claim, "x", "y")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == list(range(300))
    counts = store.job_counts(job_id)
    assert counts is not None and counts.failed == 300


def _claim_in_process(url: str, out: multiprocessing.Queue[list[int]]) -> None:
    store = Store(url)
    got: list[int] = []
    while (item := store.claim_next(time.time())) is not None:
        got.append(item.index)
        store.finish_ok(item.id, item.claim, _result(store, item.index))
    out.put(got)


def _result(store: Store, index: int) -> str:
    key = f"k{index}"
    store.put_result(key, model="m", prompt_version="v", result_json="{}")
    return key


def test_separate_processes_share_the_queue_without_double_claims(store_url: str) -> None:
    store = Store(store_url)
    store.create_job([NewItem(text=f"t{i}") for i in range(120)])
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[list[int]] = ctx.Queue()
    procs = [ctx.Process(target=_claim_in_process, args=(store.url, out)) for _ in range(3)]
    for p in procs:
        p.start()
    got = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sorted(i for part in got for i in part) == list(range(120))


def test_first_stored_result_wins(store_url: str) -> None:
    store = Store(store_url)
    assert store.put_result("k", model="m", prompt_version="v", result_json='{"a": 1}') == '{"a": 1}'
    assert store.put_result("k", model="m", prompt_version="v", result_json='{"a": 2}') == '{"a": 1}'
    assert store.get_result("k") == '{"a": 1}'
    assert store.count_results() == 1


def test_a_claim_lost_to_a_reset_cannot_finish_the_article(store_url: str) -> None:
    store = Store(store_url)
    store.create_job([NewItem(text="only")])
    stale = store.claim_next(time.time())
    assert stale is not None
    assert store.reset_running() == 1  # a restart
    fresh = store.claim_next(time.time())
    assert fresh is not None and fresh.id == stale.id and fresh.attempts == 2
    store.put_result("k", model="m", prompt_version="v", result_json="{}")
    assert not store.finish_ok(stale.id, stale.claim, "k")
    assert store.finish_ok(fresh.id, fresh.claim, "k")
    assert not store.finish_failed(fresh.id, fresh.claim, "late", "too late")


def test_job_and_index_are_unique(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text="a")])
    with pytest.raises(IntegrityError), Session(store.engine) as session, session.begin():
        session.add(JobItem(job_id=job_id, index=0, text="dup", status="pending", attempts=0, not_before=0.0))


def test_retry_later_is_not_due_before_its_time(store_url: str) -> None:
    store = Store(store_url)
    store.create_job([NewItem(text="a")])
    item = store.claim_next(time.time())
    assert item is not None
    assert store.retry_later(item.id, item.claim, time.time() + 60, "backend_unavailable", "down")
    assert store.claim_next(time.time()) is None
    assert store.unfinished() == 1
    assert store.claim_next(time.time() + 61) is not None


def test_prefailed_items_and_requeue(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text="", error=("bad_line", "line 1: not JSON")), NewItem(text="b")])
    item = store.claim_next(time.time())
    assert item is not None and item.index == 1
    store.finish_failed(item.id, item.claim, "backend_unavailable", "down")
    assert store.requeue_failed(job_id, ["backend_unavailable"]) == 1
    outcomes = list(store.iter_outcomes(job_id, page_size=1))
    assert [(o.index, o.status, o.error_kind) for o in outcomes] == [
        (0, "failed", "bad_line"),
        (1, "pending", "backend_unavailable"),
    ]


def test_a_database_from_before_job_owners_gains_the_column(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE jobs (id VARCHAR(64) PRIMARY KEY, total INTEGER, created_at FLOAT)")
        )
        connection.execute(text("INSERT INTO jobs (id, total, created_at) VALUES ('old', 0, 0)"))
    engine.dispose()
    store = Store(store_url)
    Store(store_url).close()  # a second start finds the column there already
    try:
        old = store.job_counts("old")
        assert old is not None and old.owner is None  # made before scoping: only admins see it
        new_id = store.create_job([NewItem(text="t")], owner="a" * 64)
        new = store.job_counts(new_id)
        assert new is not None and new.owner == "a" * 64
    finally:
        store.close()


def _stored(store: Store, key: str) -> str:
    store.put_result(key, model="m", prompt_version="v", result_json="{}")
    return key


def _claim_all(store: Store) -> list[tuple[str, int]]:
    """Claim and finish every due article, one at a time (one worker); (job id, index) in claim order."""
    order: list[tuple[str, int]] = []
    while (item := store.claim_next(time.time())) is not None:
        order.append((item.job_id, item.index))
        assert store.finish_failed(item.id, item.claim, "x", "y")
    return order


def test_claims_go_round_robin_across_owners_then_across_their_jobs(store_url: str) -> None:
    store = Store(store_url)
    a1 = store.create_job([NewItem(text=f"a1-{i}") for i in range(4)], job_id="a1", owner="A")
    b1 = store.create_job([NewItem(text=f"b1-{i}") for i in range(2)], job_id="b1", owner="B")
    a2 = store.create_job([NewItem(text=f"a2-{i}") for i in range(2)], job_id="a2", owner="A")
    assert _claim_all(store) == [
        (a1, 0),  # nobody served yet: the oldest article
        (b1, 0),  # B was never served, A just was
        (a2, 0),  # A again, and its job never served
        (b1, 1),
        (a1, 1),  # B has nothing left: A's jobs take turns
        (a2, 1),
        (a1, 2),
        (a1, 3),
    ]


def test_a_late_small_job_of_another_owner_is_not_starved(store_url: str) -> None:
    store = Store(store_url)
    big = store.create_job([NewItem(text=f"big {i}") for i in range(80)], owner="A")
    first = store.claim_next(time.time())  # the single worker is busy with A's first article
    assert first is not None and first.job_id == big
    small = store.create_job([NewItem(text="small")], owner="B")
    assert store.finish_ok(first.id, first.claim, _stored(store, "k"))
    order = _claim_all(store)
    assert order.index((small, 0)) == 0
    assert len(order) == 80


def test_cancel_ends_queued_articles_and_those_handed_back(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text=f"t{i}") for i in range(5)])
    other = store.create_job([NewItem(text="other")])
    claimed = [store.claim_next(time.time()) for _ in range(3)]
    # The two jobs take turns: job_id's 0, the other's 0, job_id's 1.
    first, third, second = (item for item in claimed if item is not None)
    assert (first.job_id, second.job_id, third.job_id) == (job_id, job_id, other)
    assert store.cancel_job(job_id) and store.cancel_job(job_id)  # twice is harmless
    assert not store.cancel_job("nope")
    counts = store.job_counts(job_id)
    assert counts is not None and counts.cancelled_at is not None and counts.running == 2
    # The running articles still finish; a handed-back one ends as cancelled, never pending again.
    assert store.finish_ok(first.id, first.claim, _stored(store, "k"))
    assert store.release(second.id, second.claim)
    assert store.finish_failed(third.id, third.claim, "x", "y")  # another job: untouched
    assert store.claim_next(time.time()) is None
    outcomes = {o.index: (o.status, o.error_kind) for o in store.iter_outcomes(job_id)}
    assert outcomes == {0: ("ok", None), **{i: ("cancelled", "cancelled") for i in range(1, 5)}}
    counts = store.job_counts(job_id)
    assert counts is not None
    assert (counts.done, counts.cancelled, counts.pending, counts.running) == (1, 4, 0, 0)
    assert [o.status for o in store.iter_outcomes(other)] == ["failed"]


def test_work_a_dead_process_left_running_in_a_cancelled_job_ends_cancelled(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text="a"), NewItem(text="b")])
    item = store.claim_next(time.time())
    assert item is not None
    store.cancel_job(job_id)
    assert store.reset_running() == 1
    assert [o.status for o in store.iter_outcomes(job_id)] == ["cancelled", "cancelled"]
    assert not store.finish_ok(item.id, item.claim, "k")


def test_a_finished_job_is_not_marked_cancelled(store_url: str) -> None:
    store = Store(store_url)
    job_id = store.create_job([NewItem(text="a")])
    _claim_all(store)
    assert store.cancel_job(job_id)
    counts = store.job_counts(job_id)
    assert counts is not None and counts.cancelled_at is None and counts.failed == 1


def test_retention_purges_finished_jobs_and_unreferenced_results_only(store_url: str) -> None:
    store = Store(store_url)
    done = store.create_job([NewItem(text="a")])
    item = store.claim_next(time.time())
    assert item is not None
    assert store.finish_ok(item.id, item.claim, _stored(store, "kept"))
    store.put_result("loose", model="m", prompt_version="v", result_json="{}")  # /v1/extract's, say
    unfinished = store.create_job([NewItem(text="b"), NewItem(text="c")])
    cancelled = store.create_job([NewItem(text="d")])
    store.cancel_job(cancelled)
    assert store.purge_expired(time.time() - 3600) == 0  # nothing is old enough
    assert store.count_results() == 2
    later = time.time() + 1
    assert store.purge_expired(later) == 2
    assert not store.job_exists(done) and not store.job_exists(cancelled)
    assert store.job_exists(unfinished) and store.unfinished(unfinished) == 2
    assert list(store.iter_outcomes(done)) == []
    assert store.count_results() == 0
    # A result removed while another writer stored the same key is simply written again.
    assert store.put_result("kept", model="m", prompt_version="v", result_json="{}") == "{}"
