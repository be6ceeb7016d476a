"""Jobs through the API with a scripted extract function: order, failures, bounded concurrency, resumption."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from extractor.service.store import Base, Job, Store
from tests.service_helpers import FakeExtract, make_app, service_settings, wait_for_job


def submit(client: TestClient, texts: list[str], **headers: str) -> str:
    articles = [{"id": f"n{i}", "text": t, "source": f"src{i}"} for i, t in enumerate(texts)]
    response = client.post("/v1/jobs", json={"articles": articles}, headers=headers)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["total"] == len(texts)
    assert body["status_url"] == f"/v1/jobs/{body['job_id']}"
    return str(body["job_id"])


def results(client: TestClient, job_id: str, **headers: str) -> list[dict[str, object]]:
    response = client.get(f"/v1/jobs/{job_id}/results", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_every_article_ends_as_a_result_or_a_recorded_failure_in_order(tmp_path: Path) -> None:
    fake = FakeExtract()
    texts = [f"Article {i} about a visit." for i in range(12)]
    texts[3] = "raise: bad_input"
    texts[7] = "raise: model_output"
    texts[9] = "raise: bug"
    with TestClient(make_app(tmp_path, extract=fake)) as client:
        job_id = submit(client, texts)
        status = wait_for_job(client, job_id)
        assert status["status"] == "done"
        assert status["counts"] == {"total": 12, "done": 9, "failed": 3, "pending": 0, "cancelled": 0}
        lines = results(client, job_id)
    assert [line["index"] for line in lines] == list(range(12))
    assert [line["article_id"] for line in lines] == [f"n{i}" for i in range(12)]
    failed = {line["index"]: line["error"] for line in lines if line["status"] == "failed"}
    assert {i: e["kind"] for i, e in failed.items()} == {3: "bad_input", 7: "model_output", 9: "internal"}  # type: ignore[index]
    for line in lines:
        if line["status"] == "ok":
            assert line["result"]["article"]["id"] == line["article_id"]  # type: ignore[index]
            assert line["result"]["article"]["source"] == f"src{line['index']}"  # type: ignore[index]


def test_status_and_results_while_a_job_runs(tmp_path: Path) -> None:
    fake = FakeExtract(delay_s=0.3)
    with TestClient(make_app(tmp_path, extract=fake, job_concurrency=1)) as client:
        job_id = submit(client, [f"text {i}" for i in range(4)])
        status = client.get(f"/v1/jobs/{job_id}").json()
        assert status["status"] in {"pending", "running"}
        assert status["counts"]["pending"] >= 3
        partial = results(client, job_id)
        assert len(partial) == 4 and {"pending"} <= {line["status"] for line in partial}
        assert wait_for_job(client, job_id)["status"] == "done"


def test_workers_respect_the_concurrency_bound(tmp_path: Path) -> None:
    fake = FakeExtract(delay_s=0.1)
    with TestClient(make_app(tmp_path, extract=fake, job_concurrency=3)) as client:
        job_id = submit(client, [f"distinct article {i}" for i in range(15)])
        assert wait_for_job(client, job_id)["counts"]["done"] == 15
    assert fake.peak == 3


def test_duplicate_articles_in_a_job_call_the_model_once(tmp_path: Path) -> None:
    fake = FakeExtract(delay_s=0.05)
    with TestClient(make_app(tmp_path, extract=fake, job_concurrency=4)) as client:
        job_id = submit(client, ["same text"] * 6 + ["other text"])
        assert wait_for_job(client, job_id)["counts"]["done"] == 7
        lines = results(client, job_id)
    assert sorted(fake.texts()) == ["other text", "same text"]
    assert [line["article_id"] for line in lines] == [f"n{i}" for i in range(7)]


def test_an_unavailable_backend_is_retried_later_then_recorded(tmp_path: Path) -> None:
    fake = FakeExtract()
    fake.fail_times = {"flaky": 2, "down": 99}
    with TestClient(make_app(tmp_path, extract=fake, item_max_attempts=3, item_retry_delay_s=0.05)) as client:
        job_id = submit(client, ["flaky", "down", "fine"])
        assert wait_for_job(client, job_id)["status"] == "done"
        lines = results(client, job_id)
        metrics = client.get("/metrics").text
    assert [line["status"] for line in lines] == ["ok", "failed", "ok"]
    assert lines[1]["error"]["kind"] == "backend_unavailable"  # type: ignore[index]
    assert fake.texts().count("flaky") == 3 and fake.texts().count("down") == 3
    assert "extractor_job_requeues_total 4.0" in metrics


def test_jobs_need_the_token_too(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, api_tokens=["t"])) as client:
        assert client.post("/v1/jobs", json={"articles": [{"text": "x"}]}).status_code == 401
        job_id = submit(client, ["x"], Authorization="Bearer t")
        assert client.get(f"/v1/jobs/{job_id}").status_code == 401
        assert wait_for_job(client, job_id, Authorization="Bearer t")["status"] == "done"


def test_a_job_is_visible_to_the_token_that_created_it_and_to_admins(tmp_path: Path) -> None:
    alice, bob, admin = ({"Authorization": f"Bearer {t}"} for t in ("alice", "bob", "root"))
    app = make_app(tmp_path, api_tokens=["alice", "bob"], admin_tokens=["root"])
    with TestClient(app) as client:
        job_id = submit(client, ["one", "two"], **alice)
        assert wait_for_job(client, job_id, **alice)["counts"]["done"] == 2
        for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/results"):
            assert client.get(path, headers=alice).status_code == 200
            assert client.get(path, headers=admin).status_code == 200
            # Someone else's job is answered exactly like one that does not exist.
            foreign = client.get(path, headers=bob)
            missing = client.get(path.replace(job_id, "f" * 32), headers=bob)
            assert foreign.status_code == missing.status_code == 404
            assert foreign.json()["error"]["kind"] == "not_found"
            assert foreign.json()["error"]["message"] == missing.json()["error"]["message"].replace(
                "f" * 32, job_id
            )
        assert [line["status"] for line in results(client, job_id, **admin)] == ["ok", "ok"]
        # An admin's own jobs are its own too; the admin token works for every route.
        admins_job = submit(client, ["three"], **admin)
        assert client.get(f"/v1/jobs/{admins_job}", headers=alice).status_code == 404
        assert wait_for_job(client, admins_job, **admin)["status"] == "done"
    # The store keeps a digest of the token, never the token itself.
    engine = create_engine(service_settings(tmp_path).database_url)
    with Session(engine) as session:
        owners = set(session.scalars(select(Job.owner)))
    engine.dispose()
    assert len(owners) == 2 and all(owner and len(owner) == 64 for owner in owners)
    assert not {"alice", "root"} & owners


def test_without_tokens_every_job_is_visible(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        job_id = submit(client, ["one"])
        assert (
            client.get(f"/v1/jobs/{job_id}", headers={"Authorization": "Bearer anything"}).status_code == 200
        )


def test_empty_or_invalid_job_bodies(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        assert client.post("/v1/jobs", json={"articles": []}).status_code == 422
        bad = client.post("/v1/jobs", json={"articles": [{"text": "ok"}, {"text": " "}]})
        assert bad.status_code == 422 and bad.json()["error"]["kind"] == "empty_text"
        assert "articles.1.text" in bad.json()["error"]["message"]


def test_a_restart_resumes_work_left_running_by_a_dead_process(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    store = Store(settings.database_url)
    from extractor.service.store import NewItem

    job_id = store.create_job([NewItem(text=f"resume {i}", article_id=f"r{i}") for i in range(5)])
    # A process claimed two articles and died before finishing them.
    assert store.claim_next(time.time()) is not None
    assert store.claim_next(time.time()) is not None
    store.close()
    fake = FakeExtract()
    with TestClient(make_app(tmp_path, extract=fake)) as client:
        status = wait_for_job(client, job_id)
        lines = results(client, job_id)
    assert status["counts"] == {"total": 5, "done": 5, "failed": 0, "pending": 0, "cancelled": 0}
    assert sorted(fake.texts()) == [f"resume {i}" for i in range(5)]
    assert [line["article_id"] for line in lines] == [f"r{i}" for i in range(5)]


def test_shutdown_mid_article_hands_the_work_back(tmp_path: Path) -> None:
    slow = FakeExtract(delay_s=5)
    with TestClient(make_app(tmp_path, extract=slow, job_concurrency=2)) as client:
        job_id = submit(client, ["one", "two", "three"])
        deadline = time.monotonic() + 5
        while slow.active < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    store = Store(service_settings(tmp_path).database_url)
    counts = store.job_counts(job_id)
    assert counts is not None and (counts.pending, counts.running) == (3, 0)
    claimed = store.claim_next(time.time())
    assert claimed is not None and claimed.attempts == 1  # the interrupted try was not counted
    store.close()


def wait_for_status(client: TestClient, job_id: str, wanted: str, **headers: str) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        status: dict[str, object] = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if status["status"] == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def test_a_small_job_of_another_token_is_not_starved_by_a_big_one(tmp_path: Path) -> None:
    fake = FakeExtract(delay_s=0.02)
    alice, bob = ({"Authorization": f"Bearer {t}"} for t in ("alice", "bob"))
    with TestClient(
        make_app(tmp_path, extract=fake, job_concurrency=1, api_tokens=["alice", "bob"])
    ) as client:
        big = submit(client, [f"alice's article {i}" for i in range(40)], **alice)
        small = submit(client, ["bob's only article"], **bob)
        assert wait_for_job(client, small, **bob)["counts"]["done"] == 1
        assert wait_for_job(client, big, **alice)["counts"]["done"] == 40
    order = fake.texts()
    # Strict FIFO would make Bob wait for all 40; fair turns serve him right after Alice's current one.
    assert order.index("bob's only article") <= 2, order[:5]


def test_cancel_a_job_queued_articles_end_cancelled_the_running_one_finishes(tmp_path: Path) -> None:
    fake = FakeExtract(delay_s=0.3)
    with TestClient(make_app(tmp_path, extract=fake, job_concurrency=1)) as client:
        job_id = submit(client, [f"to cancel {i}" for i in range(6)])
        deadline = time.monotonic() + 5
        while fake.active < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        cancelled = client.delete(f"/v1/jobs/{job_id}")
        assert cancelled.status_code == 200
        body = cancelled.json()
        assert body["status"] == "cancelling" and body["cancelled_at"]
        assert body["counts"] == {"total": 6, "done": 0, "failed": 0, "pending": 1, "cancelled": 5}
        final = wait_for_status(client, job_id, "cancelled")
        assert final["counts"] == {"total": 6, "done": 1, "failed": 0, "pending": 0, "cancelled": 5}
        assert client.delete(f"/v1/jobs/{job_id}").json()["status"] == "cancelled"  # again: harmless
        lines = results(client, job_id)  # still readable
        other = submit(client, ["after the cancel"])
        assert wait_for_job(client, other)["status"] == "done"
    assert [line["status"] for line in lines] == ["ok"] + ["cancelled"] * 5
    assert lines[1]["error"] == {  # type: ignore[comparison-overlap]
        "kind": "cancelled",
        "message": "the job was cancelled before this article was extracted",
    }
    assert fake.texts() == ["to cancel 0", "after the cancel"]


def test_cancelling_a_finished_job_leaves_it_done(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        job_id = submit(client, ["one"])
        assert wait_for_job(client, job_id)["status"] == "done"
        answer = client.delete(f"/v1/jobs/{job_id}")
        assert answer.status_code == 200 and answer.json()["status"] == "done"
        assert answer.json()["cancelled_at"] is None


def test_only_the_owner_or_an_admin_may_cancel_a_job(tmp_path: Path) -> None:
    alice, bob, admin = ({"Authorization": f"Bearer {t}"} for t in ("alice", "bob", "root"))
    slow = FakeExtract(delay_s=0.5)
    app = make_app(
        tmp_path, extract=slow, job_concurrency=1, api_tokens=["alice", "bob"], admin_tokens=["root"]
    )
    with TestClient(app) as client:
        first = submit(client, ["a1", "a2", "a3"], **alice)
        second = submit(client, ["b1", "b2"], **alice)
        assert client.delete(f"/v1/jobs/{first}").status_code == 401
        foreign = client.delete(f"/v1/jobs/{first}", headers=bob)
        assert foreign.status_code == 404 and foreign.json()["error"]["kind"] == "not_found"
        assert client.delete(f"/v1/jobs/{'f' * 32}", headers=alice).status_code == 404
        assert client.get(f"/v1/jobs/{first}", headers=alice).json()["cancelled_at"] is None
        assert client.delete(f"/v1/jobs/{first}", headers=alice).json()["status"] in {
            "cancelling",
            "cancelled",
        }
        assert client.delete(f"/v1/jobs/{second}", headers=admin).json()["status"] in {
            "cancelling",
            "cancelled",
        }
        for job_id in (first, second):
            assert wait_for_status(client, job_id, "cancelled", **alice)["status"] == "cancelled"


def test_finished_jobs_are_deleted_after_the_retention_period(tmp_path: Path) -> None:
    app = make_app(tmp_path, job_retention_s=0.5, retention_sweep_s=0.1)
    with TestClient(app) as client:
        job_id = submit(client, ["kept a while"])
        assert wait_for_job(client, job_id)["status"] == "done"
        assert client.get(f"/v1/jobs/{job_id}/results").status_code == 200  # readable at first
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{job_id}").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get(f"/v1/jobs/{job_id}").status_code == 404
        assert client.get(f"/v1/jobs/{job_id}/results").status_code == 404
    store = Store(service_settings(tmp_path).database_url)
    assert not store.job_exists(job_id) and store.count_results() == 0
    store.close()


@pytest.mark.skipif(
    not os.environ.get("EXTRACTOR_TEST_POSTGRES_URL"), reason="EXTRACTOR_TEST_POSTGRES_URL not set"
)
def test_jobs_and_the_cache_on_postgresql(tmp_path: Path) -> None:
    url = os.environ["EXTRACTOR_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    fake = FakeExtract(delay_s=0.02)
    texts = [f"pg article {i}" for i in range(10)] + ["pg article 0", "raise: model_output"]
    with TestClient(make_app(tmp_path, extract=fake, database_url=url)) as client:
        job_id = submit(client, texts)
        assert wait_for_job(client, job_id)["counts"] == {
            "total": 12,
            "done": 11,
            "failed": 1,
            "pending": 0,
            "cancelled": 0,
        }
        lines = results(client, job_id)
        assert client.post("/v1/extract", json={"text": "pg article 3"}).status_code == 200
    assert [line["article_id"] for line in lines] == [f"n{i}" for i in range(12)]
    assert len(fake.calls) == 11  # the duplicate and the later single extraction came from the store
