"""The JSON Lines a job's results are written as, by the API and by the batch runner alike."""

from __future__ import annotations

import json
from typing import Any

from extractor.core.contract import ArticleExtraction
from extractor.service.extraction import as_requested
from extractor.service.store import ItemOutcome


def outcome_record(outcome: ItemOutcome) -> dict[str, Any]:
    """``{index, article_id, status, result | error}``; an unfinished article shows as ``pending``, one of a
    cancelled job that was never extracted as ``cancelled`` (with the error kind ``cancelled``)."""
    record: dict[str, Any] = {"index": outcome.index, "article_id": outcome.article_id}
    if outcome.status == "ok" and outcome.result_json is not None:
        result = ArticleExtraction.model_validate_json(outcome.result_json)
        result = as_requested(result, outcome.article_id or str(outcome.index), outcome.source, outcome.url)
        record.update(status="ok", result=result.model_dump(mode="json"))
    elif outcome.status in ("failed", "cancelled"):
        record.update(
            status=outcome.status,
            error={"kind": outcome.error_kind or "internal", "message": outcome.error_message or ""},
        )
    else:
        record["status"] = "pending"
    return record


def outcome_line(outcome: ItemOutcome) -> str:
    return json.dumps(outcome_record(outcome), ensure_ascii=False) + "\n"
