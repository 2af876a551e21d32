"""Ending a stored login's session on its server, for `ticos-tui logout`."""

from __future__ import annotations

import asyncio

from ticos_tui.core import errors


def end_remote_session(url: str, token: str, timeout: float) -> str:
    """Ask the server at `url` to end `token` (`DELETE /session`); returns what happened, in words.

    Never raises a `TicosError`: logout forgets the token locally whatever the server says.
    """
    from ticos_tui.client.connect import remote_client

    async def run() -> None:
        async with remote_client(url, token, timeout=timeout, retries=0) as client:
            await client.end_session()

    try:
        asyncio.run(run())
    except errors.AuthenticationFailed:
        return f"The server at {url} no longer accepts the token: its session had already ended."
    except errors.PermissionDenied:
        return (
            f"The stored credential for {url} is an API key, which logout cannot end on the "
            "server; revoke it (`ticos-tui keys revoke ID`) to stop it working."
        )
    except errors.TicosError as err:
        return (
            f"The server at {url} could not be told to end the session ({err}); "
            "the token may keep working there until it is revoked."
        )
    return f"Ended the session at {url}: the token no longer works there."
