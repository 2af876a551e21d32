"""The service's storage: the Store protocol, SQLite and PostgreSQL."""
