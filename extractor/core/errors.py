"""Errors a caller can act on. Each carries a stable ``kind`` for logs, metrics and API bodies."""

from __future__ import annotations

from extractor.core.contract import Usage


class ExtractorError(Exception):
    """Base class; ``kind`` is a stable machine-readable code."""

    kind = "error"
    # The HTTP status the service answers with (the one place that maps errors to statuses).
    http_status = 500
    # Whether the same input can succeed later without any change (a backend outage): the one place
    # that decides what jobs and batch reruns try again.
    retryable = False

    def __init__(self, message: str = "", *, usage: Usage | None = None, attempts: int = 0) -> None:
        super().__init__(message)
        # What the failed work cost before it failed, when a model was called.
        self.usage = usage
        self.attempts = attempts

    def with_cost(self, usage: Usage | None, attempts: int) -> ExtractorError:
        """The same error (same class and message) carrying what the work cost in all."""
        return type(self)(str(self), usage=usage, attempts=attempts)


class InputError(ExtractorError):
    """The article itself is unusable (empty, binary, not UTF-8, too large). Retrying will not help."""

    kind = "bad_input"
    http_status = 422


class ConfigError(ExtractorError):
    """The configuration or the local installation is wrong (bad model file, bad settings)."""

    kind = "config"


class BackendUnavailable(ExtractorError):
    """The model backend could not be reached or kept failing after every retry. Retry later."""

    kind = "backend_unavailable"
    http_status = 503
    retryable = True


class BackendTimeout(BackendUnavailable):
    """Every attempt ran out of time: the backend may be up but slower than the timeout allows."""


class ModelOutputError(ExtractorError):
    """The model answered, but never with output that validates, after every reask."""

    kind = "model_output"
    http_status = 502


class ContextOverflowError(ExtractorError):
    """The article and prompt do not fit the model's context: the same request fails every time."""

    kind = "context_overflow"
    http_status = 413


class InternalError(ExtractorError):
    """A bug: something raised that is none of the above. Retrying the same input will not help."""

    kind = "internal"


def retryable_kinds() -> frozenset[str]:
    """The error kinds a later attempt may cure by itself (every other failure is final)."""
    found: set[str] = set()
    pending: list[type[ExtractorError]] = [ExtractorError]
    while pending:
        cls = pending.pop()
        if cls.retryable:
            found.add(cls.kind)
        pending.extend(cls.__subclasses__())
    return frozenset(found)
