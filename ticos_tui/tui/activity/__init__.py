"""The Activity section of Account Settings: the account's audit log, followed while open."""
