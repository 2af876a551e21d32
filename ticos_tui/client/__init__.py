"""Talking to a Ticos service over HTTP (httpx): the client, its answers, sessions."""
