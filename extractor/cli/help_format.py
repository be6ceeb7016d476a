"""Help text as a reader wants it: the metavar we chose instead of type placeholders such as
``<list[str]>`` or ``<bool>``, and a default given as text (``[default: all cores]``) shown as written.

Recent Typer versions print a type placeholder beside every parameter and wrap a textual default in
parentheses; both are presentation only, so they are adjusted here, once, and only where that Typer
has them.
"""

from __future__ import annotations

from typing import Any

import typer.core


def _display_type(self: Any, ctx: Any) -> str | None:
    if isinstance(self, typer.core.TyperArgument):
        return None  # the argument's metavar is already its name in the usage column
    if getattr(self, "is_flag", False):
        return None
    if self.metavar is not None:
        return str(self.metavar)
    # "<float>" -> "FLOAT", "<list[str]>" -> "TEXT": click's own words for a value.
    label = str(self.display_type(ctx)).strip("<>")
    label = label.removeprefix("list[").removesuffix("]")
    return {"str": "TEXT", "int": "INTEGER"}.get(label, label.upper())


def install() -> None:
    for cls_name in ("TyperArgument", "TyperOption"):
        cls = getattr(typer.core, cls_name, None)
        if cls is not None and hasattr(cls, "display_type_rich"):
            cls.display_type_rich = _display_type
    original = getattr(typer.core, "_get_default_string", None)
    if original is None or getattr(original, "_extractor_plain", False):
        return

    def default_string(obj: Any, **kwargs: Any) -> str:
        if kwargs.get("show_default_is_str"):
            return str(obj.show_default)
        return str(original(obj, **kwargs))

    default_string._extractor_plain = True  # type: ignore[attr-defined]
    typer.core._get_default_string = default_string
