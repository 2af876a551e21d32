"""ticos-tui: manage Ticos API keys from the terminal (kept import-light on purpose)."""

__version__ = "0.4.1"
