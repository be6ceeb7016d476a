"""Which transport failures are retried, and how long to wait: tenacity policy for one model call.

Validation failures are not handled here; instructor reasks for those (see llm.py).
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)


class MalformedResponse(Exception):
    """The server answered 200 with a body that is not a chat completion."""


RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_SINGLE_WAIT_S = 60.0


def is_transient(exc: BaseException) -> bool:
    """Failures worth another attempt: the server or the network, never the request itself."""
    if isinstance(exc, openai.APIConnectionError):
        return True  # includes APITimeoutError and dropped connections
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    # A 200 whose body is not a chat completion (a proxy's error page, a body cut short) is a
    # transport fault, not the model's answer: worth another attempt.
    return isinstance(exc, MalformedResponse | json.JSONDecodeError | openai.APIResponseValidationError)


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's Retry-After (seconds or HTTP date), when it sent one."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    raw = headers.get("retry-after-ms")
    if raw is not None:
        try:
            return max(0.0, float(raw) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _wait(backoff_s: float) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(multiplier=backoff_s, max=MAX_SINGLE_WAIT_S, jitter=backoff_s)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        server_says = retry_after_seconds(exc)
        if server_says is not None:
            return min(server_says, MAX_SINGLE_WAIT_S * 5)
        return backoff(state)

    return wait


def transport_retrying(
    *,
    max_retries: int,
    max_total_s: float,
    backoff_s: float,
    on_retry: Callable[[RetryCallState], None] | None = None,
) -> AsyncRetrying:
    """Exponential backoff with jitter, Retry-After honoured, bounded by attempts and total time.

    stop_before_delay gives up rather than sleep past the time bound, so a long Retry-After ends the
    call at once instead of overrunning it.
    """
    return AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(max_retries + 1) | stop_before_delay(max_total_s),
        wait=_wait(backoff_s),
        before_sleep=on_retry,
        reraise=True,
    )
