"""The leak scan (`ticos-tui scan`): valid-checksum API keys in files and git history.

Nothing is imported here, so the CLI's parser loads `options` alone; `command.run` loads the
scanner (`scanner`, `walk`, `history`, `detect`), and `check` the client only to verify findings.
"""
