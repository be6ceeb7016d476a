"""Request and response bodies of the HTTP API; an article's result is the contract's ArticleExtraction."""

from __future__ import annotations

import datetime
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from extractor.core.contract import ArticleExtraction
from extractor.service.errors import ErrorDetail

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What the validators below enforce, stated in the OpenAPI schema too so that clients (and schemathesis)
# know it: text has a non-space character; no string carries NUL (binary data; PostgreSQL refuses it).
# "Space" is spelled out, because a pattern's \s means fewer characters to a JSON Schema (ECMA-262)
# validator than to Python's re, which the validator below uses ("\x1c" is space only to Python).
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT_PATTERN = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"
_NO_NUL_PATTERN = r"^[^\x00]*$"


def _check_encodable(value: str, field: str) -> str:
    # JSON can carry lone surrogates ("\ud800") that no UTF-8 store or hash accepts.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("bad_encoding", f"{field} is not valid Unicode (lone surrogate)") from None
    if "\x00" in value:
        raise PydanticCustomError("bad_encoding", f"{field} contains NUL characters (binary data?)")
    return value


# Shown on /docs and filled into "Try it out"; a test checks each against the schema and the model.
_ARTICLE_EXAMPLE: dict[str, Any] = {
    "id": "a1",
    "text": "Iranian Foreign Minister Abbas Araghchi arrived in Baghdad on Sunday for an official visit. "
    "He met Iraqi Prime Minister Mohammed Shia al-Sudani, a government statement said.",
    "source": "Shafaq News",
    "published": "2024-10-13",
}
_SECOND_ARTICLE_EXAMPLE: dict[str, Any] = {
    "id": "a2",
    "text": "<html><body><article><p>Lebanese caretaker Prime Minister Najib Mikati arrived in Damascus "
    "on Saturday and held talks with President Bashar al-Assad.</p></article></body></html>",
    "url": "https://news.example/mikati-damascus",
}


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_ARTICLE_EXAMPLE]})

    text: str = Field(
        description="the article: plain text or HTML (its main text is extracted). Text the pipeline "
        "cannot use is answered 422 `bad_input` (POST /v1/extract) or recorded as a failed article (jobs): "
        "no sentence, i.e. no letter or digit (e.g. only punctuation, emoji or control characters), HTML "
        "without article text, or text that looks binary",
        json_schema_extra={"minLength": 1, "pattern": _TEXT_PATTERN},
    )
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="default: a hash of the text",
        json_schema_extra={"pattern": _NO_NUL_PATTERN},
    )
    source: str | None = Field(default=None, max_length=2000, json_schema_extra={"pattern": _NO_NUL_PATTERN})
    url: str | None = Field(default=None, max_length=4000, json_schema_extra={"pattern": _NO_NUL_PATTERN})
    published: str | None = Field(
        default=None,
        description="publication date YYYY-MM-DD; anchors relative dates such as 'on Tuesday'",
        json_schema_extra={"format": "date"},
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        _check_encodable(value, "text")
        if not re.search(rf"[^{_SPACE}]", value):
            raise PydanticCustomError("empty_text", "text is empty")
        return value

    @field_validator("id", "source", "url")
    @classmethod
    def _strings(cls, value: str | None) -> str | None:
        return None if value is None else _check_encodable(value, "field")

    @field_validator("published")
    @classmethod
    def _published(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise PydanticCustomError("date_format", "published must be a date YYYY-MM-DD") from None


class JobIn(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"examples": [{"articles": [_ARTICLE_EXAMPLE, _SECOND_ARTICLE_EXAMPLE]}]},
    )

    articles: list[ArticleIn] = Field(min_length=1, description="processed in the background, in this order")


class JobCreated(BaseModel):
    job_id: str
    total: int
    status_url: str
    results_url: str


class JobCountsOut(BaseModel):
    total: int
    done: int = Field(description="extracted")
    failed: int = Field(description="recorded with their error")
    pending: int = Field(description="not finished yet, waiting or in progress")
    cancelled: int = Field(default=0, description="never extracted: the job was cancelled first")


class JobStatusOut(BaseModel):
    job_id: str
    status: Literal["pending", "running", "done", "cancelling", "cancelled"] = Field(
        description="done and cancelled are final; cancelling: cancelled, articles in progress still finish"
    )
    created_at: str
    cancelled_at: str | None = None
    counts: JobCountsOut


class ResultLine(BaseModel):
    """One line of ``GET /v1/jobs/{id}/results`` (JSON Lines), one per article in submission order."""

    index: int
    article_id: str | None
    status: Literal["ok", "failed", "pending", "cancelled"]
    result: ArticleExtraction | None = None
    error: ErrorDetail | None = None


class Health(BaseModel):
    status: str
    detail: dict[str, Any] = Field(default_factory=dict)
