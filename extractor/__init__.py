"""Evidence-backed structured event extraction from news articles.

>>> from extractor import extract
>>> result = extract(open("seeds/000_ccd7380b51e80ca7.txt").read(), published="2025-05-15")
"""

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
