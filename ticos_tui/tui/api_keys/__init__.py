"""The API Keys section: the pane, its table and details, and the dialogs of every key action."""
