"""Durable state: jobs, their articles and the extraction results, through SQLAlchemy 2.0.

The same code runs on SQLite (default) and PostgreSQL. Guarantees the service builds on:

- an article is claimed by one worker at a time: a single conditional ``UPDATE ... WHERE status='pending'``
  whose row count says who won;
- a finished article points at one stored result, written once: the result table is keyed by the cache key
  (first writer wins) and an article only finishes under the claim it was given;
- nothing is lost in a crash: work left 'running' by a dead process goes back to 'pending' on startup;
- claims are fair: the next article comes from the owner (token) served least recently, and among that
  owner's jobs from the one served least recently, so one client's big job cannot starve another's;
- a cancelled job's queued articles end as 'cancelled' (recorded, never dropped), and so does an article
  of it handed back later; finished and cancelled jobs are purged after the retention period.

Every method is synchronous and opens its own transaction; async callers run them in a worker thread.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, mapped_column

ItemStatus = Literal["pending", "running", "ok", "failed", "cancelled"]
CANCELLED_KIND = "cancelled"
CANCELLED_MESSAGE = "the job was cancelled before this article was extracted"


class Base(DeclarativeBase):
    pass


class StoredResult(Base):
    __tablename__ = "extraction_results"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(100))
    result_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float, default=time.time)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float, default=time.time)
    # A digest of the bearer token that created the job (auth.owner_of); None when auth was off.
    owner: Mapped[str | None] = mapped_column(String(64))
    # Set by a cancel: the job takes no more work; its queued articles end as 'cancelled'.
    cancelled_at: Mapped[float | None] = mapped_column(Float)
    # When the job was last served a claim, as a counter over all jobs (higher = more recent): the
    # round-robin order of fair scheduling. 0 = never served.
    last_claim: Mapped[int | None] = mapped_column(Integer, default=0)


class JobItem(Base):
    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "index", name="uq_job_items_job_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[float] = mapped_column(Float, default=0.0)
    result_key: Mapped[str | None] = mapped_column(ForeignKey("extraction_results.key"))
    error_kind: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float, default=time.time, onupdate=time.time)


@dataclass(frozen=True)
class NewItem:
    """An article to enqueue; ``error`` set means it is recorded as failed at once (e.g. a malformed line)."""

    text: str
    article_id: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    error: tuple[str, str] | None = None


@dataclass(frozen=True)
class ClaimedItem:
    id: int
    claim: str
    job_id: str
    index: int
    attempts: int
    text: str
    article_id: str | None
    source: str | None
    url: str | None
    published: str | None


@dataclass(frozen=True)
class ItemOutcome:
    """One article of a job as the results stream shows it."""

    index: int
    article_id: str | None
    source: str | None
    url: str | None
    published: str | None
    text: str
    status: ItemStatus
    result_json: str | None
    error_kind: str | None
    error_message: str | None


@dataclass(frozen=True)
class JobCounts:
    job_id: str
    total: int
    done: int
    failed: int
    pending: int
    running: int
    created_at: float
    owner: str | None = None
    cancelled: int = 0
    cancelled_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.pending == 0 and self.running == 0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (status, results) proceed while workers write; busy_timeout waits out the
    # brief write locks of other threads or processes instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _add_missing_columns(engine: Engine) -> None:
    # create_all makes missing tables but never alters one: a database from an older version gains the
    # columns added since here. Another process may add the same column at once; that is not an error.
    wanted = {"owner": "VARCHAR(64)", "cancelled_at": "FLOAT", "last_claim": "INTEGER DEFAULT 0"}
    for column, sql_type in wanted.items():
        if column in {c["name"] for c in inspect(engine).get_columns("jobs")}:
            continue
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE jobs ADD COLUMN {column} {sql_type}"))
        except DBAPIError:
            if column not in {c["name"] for c in inspect(engine).get_columns("jobs")}:
                raise


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        _add_missing_columns(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- results ---------------------------------------------------------------------------------
    def get_result(self, key: str) -> str | None:
        with Session(self.engine) as session:
            return session.scalar(select(StoredResult.result_json).where(StoredResult.key == key))

    def put_result(self, key: str, *, model: str, prompt_version: str, result_json: str) -> str:
        """Store a result unless one exists for ``key``; return the stored one (first writer wins)."""
        for _ in range(3):
            try:
                with Session(self.engine) as session, session.begin():
                    session.add(
                        StoredResult(
                            key=key, model=model, prompt_version=prompt_version, result_json=result_json
                        )
                    )
            except IntegrityError:
                existing = self.get_result(key)
                if existing is not None:
                    return existing
                # The conflicting row vanished (the retention sweep removed it meanwhile): write again.
                continue
            return result_json
        raise RuntimeError(f"could not store the result {key}: it keeps conflicting and vanishing")

    def count_results(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(StoredResult)) or 0)

    # -- jobs ------------------------------------------------------------------------------------
    def create_job(
        self, items: Sequence[NewItem], job_id: str | None = None, owner: str | None = None
    ) -> str:
        job_id = job_id or uuid.uuid4().hex
        now = time.time()
        with Session(self.engine) as session, session.begin():
            session.add(Job(id=job_id, total=len(items), created_at=now, owner=owner))
            session.flush()  # the job row first: items reference it
            session.add_all(
                JobItem(
                    job_id=job_id,
                    index=index,
                    article_id=item.article_id,
                    text=item.text,
                    source=item.source,
                    url=item.url,
                    published=item.published,
                    status="failed" if item.error else "pending",
                    error_kind=item.error[0] if item.error else None,
                    error_message=item.error[1] if item.error else None,
                    not_before=0.0,
                    attempts=0,
                    updated_at=now,
                )
                for index, item in enumerate(items)
            )
        return job_id

    def job_exists(self, job_id: str) -> bool:
        with Session(self.engine) as session:
            return session.get(Job, job_id) is not None

    def job_counts(self, job_id: str) -> JobCounts | None:
        with Session(self.engine) as session:
            job = session.get(Job, job_id)
            if job is None:
                return None
            rows = session.execute(
                select(JobItem.status, func.count()).where(JobItem.job_id == job_id).group_by(JobItem.status)
            ).all()
        by_status = {str(status): int(count) for status, count in rows}
        return JobCounts(
            job_id=job_id,
            total=job.total,
            done=by_status.get("ok", 0),
            failed=by_status.get("failed", 0),
            pending=by_status.get("pending", 0),
            running=by_status.get("running", 0),
            created_at=job.created_at,
            owner=job.owner,
            cancelled=by_status.get("cancelled", 0),
            cancelled_at=job.cancelled_at,
        )

    def iter_outcomes(self, job_id: str, page_size: int = 200) -> Iterator[ItemOutcome]:
        """The job's articles in submission order, read a page at a time (for streaming)."""
        after = -1
        while True:
            with Session(self.engine) as session:
                rows = session.execute(
                    select(JobItem, StoredResult.result_json)
                    .outerjoin(StoredResult, StoredResult.key == JobItem.result_key)
                    .where(JobItem.job_id == job_id, JobItem.index > after)
                    .order_by(JobItem.index)
                    .limit(page_size)
                ).all()
            if not rows:
                return
            for item, result_json in rows:
                yield ItemOutcome(
                    index=item.index,
                    article_id=item.article_id,
                    source=item.source,
                    url=item.url,
                    published=item.published,
                    text=item.text,
                    status=item.status,  # type: ignore[arg-type]  # the column only holds ItemStatus
                    result_json=result_json,
                    error_kind=item.error_kind,
                    error_message=item.error_message,
                )
            after = rows[-1][0].index

    # -- cancel and retention ---------------------------------------------------------------------
    def cancel_job(self, job_id: str) -> bool:
        """Cancel a job: its queued articles end as 'cancelled'; running ones finish (or, handed back,
        end as 'cancelled'). A finished job is left as it is. False when there is no such job."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            # The item update first: on SQLite it takes the write lock before anything is read.
            cancelled = session.execute(
                update(JobItem)
                .where(JobItem.job_id == job_id, JobItem.status == "pending")
                .values(**_CANCELLED, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            job = session.get(Job, job_id)
            if job is None:
                return False
            running = session.scalar(
                select(func.count())
                .select_from(JobItem)
                .where(JobItem.job_id == job_id, JobItem.status == "running")
            )
            if job.cancelled_at is None and (int(getattr(cancelled, "rowcount", 0) or 0) or running):
                job.cancelled_at = now
        return True

    def purge_expired(self, cutoff: float, batch: int = 500) -> int:
        """Delete jobs finished (or cancelled) before ``cutoff``, with their articles, and stored results
        older than ``cutoff`` that no remaining article points at; returns how many jobs went."""
        removed = 0
        while True:
            busy = (
                select(JobItem.id)
                .where(
                    JobItem.job_id == Job.id,
                    (JobItem.status.in_(["pending", "running"])) | (JobItem.updated_at >= cutoff),
                )
                .exists()
            )
            with Session(self.engine) as session, session.begin():
                ids = list(session.scalars(select(Job.id).where(Job.created_at < cutoff, ~busy).limit(batch)))
                if ids:
                    session.execute(delete(JobItem).where(JobItem.job_id.in_(ids)))
                    session.execute(delete(Job).where(Job.id.in_(ids)))
            removed += len(ids)
            if len(ids) < batch:
                break
        referenced = select(JobItem.id).where(JobItem.result_key == StoredResult.key).exists()
        with Session(self.engine) as session, session.begin():
            session.execute(delete(StoredResult).where(StoredResult.created_at < cutoff, ~referenced))
        self.cancel_handed_back()
        return removed

    def cancel_handed_back(self) -> int:
        """Queued articles of cancelled jobs end as 'cancelled' (those handed back after the cancel)."""
        cancelled_jobs = select(Job.id).where(Job.cancelled_at.is_not(None))
        stmt = (
            update(JobItem)
            .where(JobItem.status == "pending", JobItem.job_id.in_(cancelled_jobs))
            .values(**_CANCELLED, updated_at=time.time())
            .execution_options(synchronize_session=False)
        )
        with Session(self.engine) as session, session.begin():
            return int(getattr(session.execute(stmt), "rowcount", 0) or 0)

    # -- work queue ------------------------------------------------------------------------------
    def reset_running(self, job_id: str | None = None) -> int:
        """Put work a dead process left 'running' back to 'pending'; returns how many articles."""
        stmt = update(JobItem).where(JobItem.status == "running")
        if job_id is not None:
            stmt = stmt.where(JobItem.job_id == job_id)
        with Session(self.engine) as session, session.begin():
            result = session.execute(stmt.values(status="pending", claim=None, updated_at=time.time()))
            reset = int(getattr(result, "rowcount", 0) or 0)
        self.cancel_handed_back()
        return reset

    def requeue_failed(self, job_id: str, kinds: Sequence[str] | None = None) -> int:
        """Give failed articles (optionally only those failed with one of ``kinds``) another go."""
        stmt = update(JobItem).where(JobItem.job_id == job_id, JobItem.status == "failed")
        if kinds is not None:
            stmt = stmt.where(JobItem.error_kind.in_(list(kinds)))
        values: dict[str, Any] = {"status": "pending", "claim": None, "attempts": 0, "not_before": 0.0}
        with Session(self.engine) as session, session.begin():
            result = session.execute(stmt.values(**values, updated_at=time.time()))
            return int(getattr(result, "rowcount", 0) or 0)

    def claim_next(self, now: float, job_id: str | None = None) -> ClaimedItem | None:
        """Atomically take the next due pending article, fairly, or None when there is none.

        Round-robin: among the owners (tokens) with due work, the one served least recently; among its
        jobs, the one served least recently; in that job, the first article in submission order.
        """
        for _ in range(20):  # another worker may win the race for the same row: try the next one
            token = uuid.uuid4().hex
            # One statement, so on SQLite the transaction starts by taking the write lock: no
            # read-then-write upgrade that could fail with "database is locked".
            stmt = (
                update(JobItem)
                .where(JobItem.id == _fair_candidate(now, job_id), JobItem.status == "pending")
                .values(status="running", claim=token, attempts=JobItem.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            with Session(self.engine) as session, session.begin():
                won = int(getattr(session.execute(stmt), "rowcount", 0) or 0)
                if won:
                    item = session.scalars(select(JobItem).where(JobItem.claim == token)).one()
                    served = aliased(Job)
                    session.execute(
                        update(Job)
                        .where(Job.id == item.job_id)
                        .values(
                            last_claim=select(func.coalesce(func.max(served.last_claim), 0) + 1)
                            .select_from(served)
                            .scalar_subquery()
                        )
                        .execution_options(synchronize_session=False)
                    )
                    return ClaimedItem(
                        id=item.id,
                        claim=token,
                        job_id=item.job_id,
                        index=item.index,
                        attempts=item.attempts,
                        text=item.text,
                        article_id=item.article_id,
                        source=item.source,
                        url=item.url,
                        published=item.published,
                    )
            if not self._has_due_work(now, job_id):
                return None
        return None

    def _has_due_work(self, now: float, job_id: str | None) -> bool:
        stmt = select(JobItem.id).where(JobItem.status == "pending", JobItem.not_before <= now)
        if job_id is not None:
            stmt = stmt.where(JobItem.job_id == job_id)
        with Session(self.engine) as session:
            return session.scalar(stmt.limit(1)) is not None

    def unfinished(self, job_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(JobItem).where(JobItem.status.in_(["pending", "running"]))
        if job_id is not None:
            stmt = stmt.where(JobItem.job_id == job_id)
        with Session(self.engine) as session:
            return int(session.scalar(stmt) or 0)

    def _finish(self, item_id: int, claim: str, **values: Any) -> bool:
        stmt = (
            update(JobItem)
            .where(JobItem.id == item_id, JobItem.claim == claim, JobItem.status == "running")
            .values(**values, claim=None, updated_at=time.time())
            .execution_options(synchronize_session=False)
        )
        with Session(self.engine) as session, session.begin():
            done = bool(getattr(session.execute(stmt), "rowcount", 0))
            if done and values.get("status") == "pending":
                # Handed back to a job cancelled meanwhile: it will not be taken again, so it ends here.
                cancelled = select(Job.id).where(Job.id == JobItem.job_id, Job.cancelled_at.is_not(None))
                session.execute(
                    update(JobItem)
                    .where(JobItem.id == item_id, JobItem.status == "pending", cancelled.exists())
                    .values(**_CANCELLED, updated_at=time.time())
                    .execution_options(synchronize_session=False)
                )
            return done

    def finish_ok(self, item_id: int, claim: str, result_key: str) -> bool:
        """Record success; False if the claim was lost (the article was reset and taken by another)."""
        return self._finish(
            item_id,
            claim,
            status="ok",
            result_key=result_key,
            error_kind=None,
            error_message=None,
        )

    def finish_failed(self, item_id: int, claim: str, kind: str, message: str) -> bool:
        return self._finish(item_id, claim, status="failed", error_kind=kind, error_message=message[:4000])

    def retry_later(self, item_id: int, claim: str, not_before: float, kind: str, message: str) -> bool:
        """Back to the queue after a transient failure, due at ``not_before``; the error is kept as a note."""
        return self._finish(
            item_id,
            claim,
            status="pending",
            not_before=not_before,
            error_kind=kind,
            error_message=message[:4000],
        )

    def release(self, item_id: int, claim: str) -> bool:
        """Give back an article whose processing was interrupted (shutdown), without counting the try."""
        return self._finish(item_id, claim, status="pending", attempts=JobItem.attempts - 1)


_CANCELLED: dict[str, Any] = {
    "status": "cancelled",
    "claim": None,
    "error_kind": CANCELLED_KIND,
    "error_message": CANCELLED_MESSAGE,
}


def _fair_candidate(now: float, job_id: str | None) -> Any:
    """The id of the article to claim next, as a scalar subquery (see ``Store.claim_next``).

    Plain SQL that SQLite and PostgreSQL both run: the first due article of each job, ranked by the most
    recent claim of the job's owner (over all its jobs), then the job's own most recent claim, then age.
    """
    items = aliased(JobItem)
    due = select(items.job_id.label("job_id"), func.min(items.id).label("first_item")).where(
        items.status == "pending", items.not_before <= now
    )
    if job_id is not None:
        due = due.where(items.job_id == job_id)
    due_jobs = due.group_by(items.job_id).subquery("due")
    jobs = aliased(Job)
    # A literal, not a bound parameter: PostgreSQL must see the GROUP BY expression as the selected one.
    owner_of_job = func.coalesce(jobs.owner, literal_column("''"))
    owners = aliased(Job)
    owner_key = func.coalesce(owners.owner, literal_column("''"))
    owner_last = (
        select(owner_key.label("owner"), func.max(func.coalesce(owners.last_claim, 0)).label("last"))
        .group_by(owner_key)
        .subquery("owner_last")
    )
    return (
        select(due_jobs.c.first_item)
        .select_from(due_jobs)
        .join(jobs, jobs.id == due_jobs.c.job_id)
        .join(owner_last, owner_last.c.owner == owner_of_job)
        .where(jobs.cancelled_at.is_(None))
        .order_by(owner_last.c.last, func.coalesce(jobs.last_claim, 0), due_jobs.c.first_item)
        .limit(1)
        .correlate(None)
        .scalar_subquery()
    )
