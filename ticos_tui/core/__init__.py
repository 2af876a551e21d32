"""The domain: keys, scopes, names, errors and how they read; pure stdlib."""
