"""The Textual user interface: the app, its screens, sections and dialogs (no SQL, no HTTP details)."""
