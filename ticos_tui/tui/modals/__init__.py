"""Modal dialogs: create, key shown once, rename, confirm, help, account menu."""
