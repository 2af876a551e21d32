"""The contract's scopes and what each allows: one table for the parser, the TUI and the service.

A module of its own, importing nothing, so the CLI's parser (the `--scope` help) does not load
the data models.
"""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "*": "Full access: everything the account can do",
    "api_keys:read": "List and read API keys",
    "api_keys:write": "Create, rename, roll, revoke and delete API keys",
    "audit:read": "Read the audit log: who changed which key",
    "account:read": "Read the account's profile",
    "agents:invoke": "Invoke agents",
    "terminals:read": "Read terminals",
    "terminals:write": "Create and change terminals",
    "usage:read": "Read usage figures",
}
