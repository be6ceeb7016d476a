"""Reading an article the model's context cannot hold at once: one call per window, in order.

An article that fits is one call, byte for byte the request it always was. A longer one is read in
overlapping sentence windows (``core/windows.py``); each window after the first is told the actors
the earlier ones found, so it names them the same way, and the drafts are concatenated for
``assemble``, which merges what the windows found twice (one actor per entity, one visit per trip).
A window the server still finds too long is split in two and read again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.core.contract import Usage
from extractor.core.draft import Draft, EventsDraft
from extractor.core.errors import ConfigError, ContextOverflowError, ExtractorError
from extractor.core.names import fold
from extractor.core.sentences import Sentence, numbered
from extractor.core.windows import estimate_tokens, plan_windows
from extractor.pipeline.prompts import Prompt
from extractor.providers.llm import LLM

# Chat-template tokens around the messages, and the line naming the actors found so far.
_FRAME_TOKENS = 64
_KNOWN_ACTORS_TOKENS = 300
_KNOWN_ACTORS_MAX = 40


@dataclass
class Reading:
    # Set once every window is read.
    draft: Draft | EventsDraft = field(
        default_factory=lambda: EventsDraft.model_construct(actors=[], visits=[], meetings=[])
    )
    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    transport_retries: int = 0
    windows: int = 0
    warnings: list[str] = field(default_factory=list[str])


def _empty() -> EventsDraft:
    return EventsDraft.model_construct(actors=[], visits=[], meetings=[])


def window_budget(prompt: Prompt, published: str, context_tokens: int, max_output_tokens: int) -> int:
    """Estimated tokens of article sentences one request can carry."""
    frame = estimate_tokens(prompt.system) + estimate_tokens(
        prompt.render_user(sentences="", published=published)
    )
    budget = context_tokens - max_output_tokens - frame - _FRAME_TOKENS
    if budget < 200:
        raise ConfigError(
            f"a context of {context_tokens} tokens leaves no room for the article after the prompt "
            f"and {max_output_tokens} output tokens; raise EXTRACTOR_CONTEXT_TOKENS or lower "
            "EXTRACTOR_MAX_OUTPUT_TOKENS"
        )
    return budget


def _messages(
    prompt: Prompt, sentences: list[Sentence], published: str, known: list[str]
) -> list[dict[str, str]]:
    user = prompt.render_user(sentences=numbered(sentences), published=published)
    if known:
        user += (
            "\n\nThis is one part of a longer article. Actors already found in earlier parts (use the "
            "same names for them): " + "; ".join(known[:_KNOWN_ACTORS_MAX]) + "."
        )
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


async def read_windows(
    client: LLM,
    prompt: Prompt,
    sentences: list[Sentence],
    *,
    published: str,
    response_model: type[Draft] | type[EventsDraft],
    context_tokens: int,
    max_output_tokens: int,
) -> Reading:
    budget = window_budget(prompt, published, context_tokens, max_output_tokens)
    plan = plan_windows(sentences, budget)
    if len(plan) > 1:
        plan = plan_windows(sentences, budget - _KNOWN_ACTORS_TOKENS)
    reading = Reading()
    drafts: list[Draft | EventsDraft] = []
    known: list[str] = []
    pending = list(plan)
    parts = len(plan) > 1
    while pending:
        window = pending.pop(0)
        messages = _messages(prompt, window, published, known if parts else [])
        try:
            completion = await client.complete(messages, response_model, sampling=prompt.sampling)
        except ContextOverflowError as exc:
            if len(window) < 2:
                raise _with_earlier_cost(exc, reading) from exc
            # The estimate was short for this server's tokenizer: read the window in two halves.
            half, shared = len(window) // 2, 1 if len(window) >= 4 else 0
            pending[:0] = [window[: half + shared], window[half - shared :]]
            parts = True
            reading.warnings.append(
                f"sentences {window[0].number}-{window[-1].number} were too long for the model's context; "
                "read in two parts"
            )
            continue
        except ExtractorError as exc:
            # A later window's failure fails the article; what the earlier windows cost is still spent.
            raise _with_earlier_cost(exc, reading) from exc
        reading.windows += 1
        reading.usage = reading.usage + completion.stats.usage
        reading.attempts += completion.stats.attempts
        reading.transport_retries += completion.stats.transport_retries
        drafts.append(completion.value)
        for actor in completion.value.actors:
            if all(fold(actor.name) != fold(k) for k in known):
                known.append(actor.name)
    if reading.windows > 1:
        reading.warnings.insert(
            0, f"article read in {reading.windows} overlapping windows to fit the model's context"
        )
    reading.draft = _joined(response_model, drafts)
    return reading


def _with_earlier_cost(exc: ExtractorError, reading: Reading) -> ExtractorError:
    if reading.windows == 0:
        return exc
    return exc.with_cost(reading.usage + (exc.usage or Usage()), reading.attempts + exc.attempts)


def _joined(
    response_model: type[Draft] | type[EventsDraft], drafts: list[Draft | EventsDraft]
) -> Draft | EventsDraft:
    if len(drafts) == 1:
        return drafts[0]
    # The per-call caps bound one answer; the article as a whole may hold more, so no re-validation.
    actors = [a for d in drafts for a in d.actors]
    visits = [v for d in drafts for v in d.visits]
    meetings = [m for d in drafts for m in d.meetings]
    if response_model is Draft:
        claims = [c for d in drafts if isinstance(d, Draft) for c in d.claims]
        return Draft.model_construct(actors=actors, visits=visits, meetings=meetings, claims=claims)
    return EventsDraft.model_construct(actors=actors, visits=visits, meetings=meetings)
