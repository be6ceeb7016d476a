"""Versioned prompt files: prompts/<version>.md, with a system part and a user template."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from extractor.core.errors import ConfigError

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
# A source checkout keeps prompts at the repo root; a built wheel carries a copy inside the package.
SEARCH_PATH = (_PACKAGE_ROOT.parent / "prompts", _PACKAGE_ROOT / "_data" / "prompts")
SYSTEM_MARK = "<<<system>>>"
USER_MARK = "<<<user>>>"


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user_template: str
    sha256: str

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
    system, user = raw.split(SYSTEM_MARK, 1)[1].split(USER_MARK, 1)
    if "{sentences}" not in user:
        raise ConfigError(f"{path.name}: the user part must contain {{sentences}}")
    return Prompt(
        version=path.stem,
        system=system.strip(),
        user_template=user.strip(),
        sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )
