"""Where a long step has got to, told to whoever is listening (the CLI's status line), or to no one.

The listener lives in a context variable so one caller's display never hears another's work (the
service runs many extractions in one process and listens to none of them).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """``stage``: assembling | loading | reading | generating | generated. ``tokens`` and ``seconds``
    come with ``generated`` (one model call's completion tokens and time)."""

    stage: str
    detail: str = ""
    tokens: int = 0
    seconds: float = 0.0


Listener = Callable[[Step], None]

_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar("progress_listener", default=None)


def report(stage: str, detail: str = "", *, tokens: int = 0, seconds: float = 0.0) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(Step(stage, detail, tokens, seconds))


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
