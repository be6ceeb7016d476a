"""The HTTP service and the batch runner built on the same durable job machinery.

Exports load on first use (PEP 562): importing the store alone must not pull in the model stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.service.app import create_app
    from extractor.service.batch import BatchSummary, run_batch
    from extractor.service.config import ServiceSettings
    from extractor.service.server import app_from_env, serve

_EXPORTS = {
    "create_app": "extractor.service.app",
    "BatchSummary": "extractor.service.batch",
    "run_batch": "extractor.service.batch",
    "ServiceSettings": "extractor.service.config",
    "app_from_env": "extractor.service.server",
    "serve": "extractor.service.server",
}

__all__ = ["BatchSummary", "ServiceSettings", "app_from_env", "create_app", "run_batch", "serve"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
