"""The local Ticos service: the API-keys contract over Starlette and SQLite (imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ticos_tui.service.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import ticos_tui.service` (e.g. by the CLI) costs nothing until the app is needed.
    if name == "create_app":
        from ticos_tui.service.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
