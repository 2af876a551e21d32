"""Running the service: the HTTP server, the ASGI entry, logs and metrics."""
