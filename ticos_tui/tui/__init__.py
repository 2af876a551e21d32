"""The Textual user interface: screens, widgets and modals (no SQL, no HTTP details)."""
