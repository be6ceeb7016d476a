"""On-disk cache of raw chat completions, keyed by everything that determines them.

The key hashes the full request (model, messages with the prompt and the article, response format,
sampling parameters), so a changed prompt, article or setting is a miss, never a stale hit. Evals and
tests replay committed recordings through the same code path as live calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from openai.types.chat import ChatCompletion

from extractor.core.errors import ExtractorError

CACHE_FORMAT = 1
# Request fields that cannot change the answer; everything else is part of the key.
_NOT_IN_KEY = frozenset({"timeout", "extra_headers", "stream_options", "user"})


class ReplayMiss(ExtractorError):
    """Replay mode found no recorded response for a request."""

    kind = "replay_miss"


def request_key(request: dict[str, Any]) -> str:
    material = {k: v for k, v in request.items() if k not in _NOT_IN_KEY}
    material["_format"] = CACHE_FORMAT
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> ChatCompletion | None:
        path = self._path(key)
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return ChatCompletion.model_validate(data["response"])

    def put(self, key: str, request: dict[str, Any], response: ChatCompletion) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # The request is stored beside the response so a recording can be read and audited by hand.
        record = {
            "key": key,
            "model": request.get("model"),
            "request": {k: v for k, v in request.items() if k not in _NOT_IN_KEY},
            # llama.cpp answers with its model file's local path as the model name; recordings are
            # committed, so they name the model as it was requested instead.
            "response": {
                **response.model_dump(mode="json", exclude_none=True),
                "model": request.get("model", response.model),
            },
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.replace(tmp, self._path(key))
