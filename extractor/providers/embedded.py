"""The embedded default: llama.cpp (xllamacpp) serving an OpenAI-compatible API on 127.0.0.1.

One server per process, started on first use and shared by every client, so the 1 GB model is
loaded once. Everything talks to it over HTTP through the same openai client as a remote server.
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.core.errors import ConfigError
from extractor.core.progress import report
from extractor.providers.model_files import MODELS, ensure_model_file
from extractor.providers.settings import Settings


@dataclass(frozen=True)
class EmbeddedEndpoint:
    base_url: str
    model_name: str


_lock = threading.Lock()
_server: Any = None
_endpoint: EmbeddedEndpoint | None = None
_key: tuple[str, int, int, bool, int] | None = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def embedded_model_name(settings: Settings) -> str:
    return MODELS[settings.embedded_model].filename.removesuffix(".gguf")


def server_params(settings: Settings, model_path: Path, threads: int) -> Any:
    """llama.cpp server parameters for the embedded model (benchmarks/server_settings.py varies them)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.model_alias = {embedded_model_name(settings)}
    # llama.cpp logs every load step and token timing to stderr; keep the CLI's stderr for our own
    # messages unless asked.
    params.verbosity = 3 if settings.embedded_verbose else -1
    # llama.cpp splits n_ctx among its slots: each parallel request keeps the full context.
    params.n_ctx = settings.n_ctx * settings.n_parallel
    params.n_parallel = settings.n_parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cache_prompt = True
    # One slot reuses its own KV cache for the shared prompt prefix; llama.cpp's extra host-RAM
    # prompt cache (up to 8 GiB by default) would only let a long-running service grow.
    params.cache_ram_mib = 0
    params.port = _free_port()
    params.warmup = False
    # llama.cpp's "auto" leaves it off on CPU; on it reads the prompt about 12% faster here
    # (benchmarks/server_settings.py --variant base --variant flash_attn).
    params.flash_attn_type = 1 if settings.flash_attn else 0
    return params


def ensure_server(settings: Settings) -> EmbeddedEndpoint:
    """Start the shared server if needed and return where it listens."""
    global _server, _endpoint, _key
    threads = settings.n_threads or os.cpu_count() or 2
    key = (settings.embedded_model, threads, settings.n_ctx, settings.flash_attn, settings.n_parallel)
    with _lock:
        if _endpoint is not None and _key == key:
            return _endpoint
        if _server is not None:
            _stop_locked()
        model_path = ensure_model_file(settings.embedded_model, settings.model_cache_dir)
        try:
            import xllamacpp
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ConfigError("xllamacpp is not installed; run: pip install -e .") from exc
        params = server_params(settings, model_path, threads)
        report("loading", f"{settings.embedded_model}, {threads} threads")
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:
            raise ConfigError(f"the embedded llama.cpp server did not start: {exc}") from exc
        address = str(server.listening_address).rstrip("/")
        _server = server
        _endpoint = EmbeddedEndpoint(base_url=f"{address}/v1", model_name=embedded_model_name(settings))
        _key = key
        return _endpoint


def _stop_locked() -> None:
    global _server, _endpoint, _key
    _server, _endpoint, _key = None, None, None


def stop_server() -> None:
    with _lock:
        _stop_locked()


atexit.register(stop_server)
