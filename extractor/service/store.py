"""Durable state: jobs, their articles and the extraction results, through SQLAlchemy 2.0.

The same code runs on SQLite (default) and PostgreSQL. Guarantees the service builds on:

- an article is claimed by one worker at a time: a single conditional ``UPDATE ... WHERE status='pending'``
  whose row count says who won;
- a finished article points at one stored result, written once: the result table is keyed by the cache key
  (first writer wins) and an article only finishes under the claim it was given;
- nothing is lost in a crash: work left 'running' by a dead process goes back to 'pending' on startup.

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
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ItemStatus = Literal["pending", "running", "ok", "failed"]


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
    wanted = {"owner": "VARCHAR(64)"}
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
        try:
            with Session(self.engine) as session, session.begin():
                session.add(
                    StoredResult(key=key, model=model, prompt_version=prompt_version, result_json=result_json)
                )
        except IntegrityError:
            existing = self.get_result(key)
            if existing is None:  # the conflicting row vanished: nothing else deletes results
                raise
            return existing
        return result_json

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

    # -- work queue ------------------------------------------------------------------------------
    def reset_running(self, job_id: str | None = None) -> int:
        """Put work a dead process left 'running' back to 'pending'; returns how many articles."""
        stmt = update(JobItem).where(JobItem.status == "running")
        if job_id is not None:
            stmt = stmt.where(JobItem.job_id == job_id)
        with Session(self.engine) as session, session.begin():
            result = session.execute(stmt.values(status="pending", claim=None, updated_at=time.time()))
            return int(getattr(result, "rowcount", 0) or 0)

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
        """Atomically take the oldest pending article that is due, or None when there is none."""
        for _ in range(20):  # another worker may win the race for the same row: try the next one
            candidate = select(JobItem.id).where(JobItem.status == "pending", JobItem.not_before <= now)
            if job_id is not None:
                candidate = candidate.where(JobItem.job_id == job_id)
            candidate_id = candidate.order_by(JobItem.id).limit(1).scalar_subquery()
            token = uuid.uuid4().hex
            # One statement, so on SQLite the transaction starts by taking the write lock: no
            # read-then-write upgrade that could fail with "database is locked".
            stmt = (
                update(JobItem)
                .where(JobItem.id == candidate_id, JobItem.status == "pending")
                .values(status="running", claim=token, attempts=JobItem.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            with Session(self.engine) as session, session.begin():
                won = int(getattr(session.execute(stmt), "rowcount", 0) or 0)
                if won:
                    item = session.scalars(select(JobItem).where(JobItem.claim == token)).one()
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
            return bool(getattr(session.execute(stmt), "rowcount", 0))

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
