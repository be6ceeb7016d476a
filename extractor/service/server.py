"""Running the app under uvicorn: what ``extractor serve`` calls, and a factory for ``uvicorn --factory``."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from extractor.providers.settings import Settings
from extractor.service.app import create_app
from extractor.service.config import ServiceSettings, load_service_settings


def app_from_env() -> FastAPI:
    """``uvicorn extractor.service.server:app_from_env --factory``: everything from EXTRACTOR_* variables."""
    return create_app(Settings(), load_service_settings())


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    config: ServiceSettings | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Serve the API until interrupted; SIGTERM/SIGINT shut down gracefully, handing back unfinished work."""
    app = create_app(settings or Settings(), config or load_service_settings())
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)
