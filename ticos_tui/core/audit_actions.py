"""The audit log's actions (contract v1.2): one tuple for the service, the CLI and the TUI.

A module of its own, importing nothing, so the CLI's parser (`audit --action`) and the service
do not load the data models for it.
"""

from __future__ import annotations

ACTIONS = (
    "key.created",
    "key.renamed",
    "key.revoked",
    "key.deleted",
    "key.rolled",
    "session.created",
    "session.ended",
    "auth.throttled",
)
