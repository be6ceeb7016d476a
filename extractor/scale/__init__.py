"""Scaling past one process: the same pipeline inside an engine users already run (Ray Data).

Nothing here is imported by the rest of the package, and this file imports nothing, so the default
install (without the ``ray`` extra) never touches Ray. Use ``extractor.scale.ray_engine`` directly.
"""

from __future__ import annotations

import importlib.util

RAY_EXTRA_HINT = "the Ray engine needs the ray extra: pip install 'extractor[ray]' (or -e '.[ray]')"


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None
