"""Evidence-backed structured event extraction from news articles.

    >>> from extractor import extract
    >>> result = extract(open("seeds/000_ccd7380b51e80ca7.txt").read(), published="2025-05-15")

Exports load on first use: importing a light submodule (the contract, the service store) must not
pay for importing instructor, openai and the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.core.contract import (
        Actor,
        ArticleExtraction,
        Claim,
        Evidence,
        Meeting,
        Place,
        Visit,
        When,
    )
    from extractor.core.errors import (
        BackendUnavailable,
        ConfigError,
        ExtractorError,
        InputError,
        ModelOutputError,
    )
    from extractor.pipeline import aextract, extract
    from extractor.providers.settings import Settings

_EXPORTS = {
    **dict.fromkeys(
        ["Actor", "ArticleExtraction", "Claim", "Evidence", "Meeting", "Place", "Visit", "When"],
        "extractor.core.contract",
    ),
    **dict.fromkeys(
        ["BackendUnavailable", "ConfigError", "ExtractorError", "InputError", "ModelOutputError"],
        "extractor.core.errors",
    ),
    "aextract": "extractor.pipeline",
    "extract": "extractor.pipeline",
    "Settings": "extractor.providers.settings",
}

__all__ = [
    "Actor",
    "ArticleExtraction",
    "BackendUnavailable",
    "Claim",
    "ConfigError",
    "Evidence",
    "ExtractorError",
    "InputError",
    "Meeting",
    "ModelOutputError",
    "Place",
    "Settings",
    "Visit",
    "When",
    "aextract",
    "extract",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'extractor' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
