"""Versioned prompt files: prompts/<version>.md, with a system part and a user template.

Lines before the system part are a header of settings the prompt is written for: decoding settings
(``presence_penalty: 0.5``), so a prompt version is scored, replayed and shipped with them and older
versions keep the requests they were recorded with; and ``claims: code``, which asks the model for
actors, visits and meetings only and leaves claims to code (``core/attribution.py``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from extractor.core.errors import ConfigError

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
# A source checkout keeps prompts at the repo root; a built wheel carries a copy inside the package.
SEARCH_PATH = (_PACKAGE_ROOT.parent / "prompts", _PACKAGE_ROOT / "_data" / "prompts")
SYSTEM_MARK = "<<<system>>>"
USER_MARK = "<<<user>>>"
# OpenAI-standard sampling parameters: every OpenAI-compatible server takes them.
HEADER_KEYS = {"presence_penalty": (-2.0, 2.0), "frequency_penalty": (-2.0, 2.0)}
# Who reads the claims: the model (the draft has claims) or code (reporting cues, speaker linking).
CLAIMS_BY = ("model", "code")


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user_template: str
    sha256: str
    sampling: dict[str, float] = field(default_factory=dict[str, float])
    claims: str = "model"

    def render_user(self, *, sentences: str, published: str) -> str:
        return self.user_template.replace("{sentences}", sentences).replace("{published}", published)


def prompt_path(version: str) -> Path:
    candidate = Path(version)
    if candidate.suffix == ".md" and candidate.is_file():
        return candidate
    for directory in SEARCH_PATH:
        path = directory / f"{version}.md"
        if path.is_file():
            return path
    known = sorted({p.stem for d in SEARCH_PATH if d.is_dir() for p in d.glob("*.md")})
    raise ConfigError(f"unknown prompt version {version!r}; known: {', '.join(known) or 'none'}")


def load_prompt(version: str) -> Prompt:
    path = prompt_path(version)
    raw = path.read_text(encoding="utf-8")
    if (
        raw.count(SYSTEM_MARK) != 1
        or raw.count(USER_MARK) != 1
        or raw.index(SYSTEM_MARK) > raw.index(USER_MARK)
    ):
        raise ConfigError(f"{path.name}: a prompt file has one {SYSTEM_MARK} part, then one {USER_MARK} part")
    header, rest = raw.split(SYSTEM_MARK, 1)
    system, user = rest.split(USER_MARK, 1)
    sampling, claims = _header(header, path.name)
    if "{sentences}" not in user:
        raise ConfigError(f"{path.name}: the user part must contain {{sentences}}")
    return Prompt(
        version=path.stem,
        system=system.strip(),
        user_template=user.strip(),
        sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        sampling=sampling,
        claims=claims,
    )


def _header(header: str, name: str) -> tuple[dict[str, float], str]:
    sampling: dict[str, float] = {}
    claims = "model"
    known = ", ".join([*HEADER_KEYS, "claims"])
    for line in header.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = re.fullmatch(r"\s*(\w+)\s*:\s*(\S+)\s*", line)
        if found is not None and found.group(1) == "claims":
            if found.group(2) not in CLAIMS_BY:
                raise ConfigError(f"{name}: claims must be one of {', '.join(CLAIMS_BY)}")
            claims = found.group(2)
            continue
        if found is None or found.group(1) not in HEADER_KEYS:
            raise ConfigError(f"{name}: header line {line.strip()!r}; known keys: {known}")
        key, raw = found.groups()
        low, high = HEADER_KEYS[key]
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name}: {key} must be a number, not {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name}: {key} must be between {low} and {high}")
        sampling[key] = value
    return sampling, claims
