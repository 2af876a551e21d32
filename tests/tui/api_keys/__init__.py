"""Pilot tests of the API Keys section: flows, dialogs, random key sequences."""
