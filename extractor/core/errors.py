"""Errors a caller can act on. Each carries a stable ``kind`` for logs, metrics and API bodies."""

from __future__ import annotations

from extractor.core.contract import Usage


class ExtractorError(Exception):
    """Base class; ``kind`` is a stable machine-readable code."""

    kind = "error"
    # What the failed work cost before it failed, when a model was called.
    usage: Usage | None = None
    attempts: int = 0


class InputError(ExtractorError):
    """The article itself is unusable (empty, binary, not UTF-8, too large). Retrying will not help."""

    kind = "bad_input"


class ConfigError(ExtractorError):
    """The configuration or the local installation is wrong (bad model file, bad settings)."""

    kind = "config"


class BackendUnavailable(ExtractorError):
    """The model backend could not be reached or kept failing after every retry. Retry later."""

    kind = "backend_unavailable"


class ModelOutputError(ExtractorError):
    """The model answered, but never with output that validates, after every reask."""

    kind = "model_output"
