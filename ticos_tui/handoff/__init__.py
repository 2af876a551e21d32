"""Where a new key goes once created: a .env file (secret stores later)."""
