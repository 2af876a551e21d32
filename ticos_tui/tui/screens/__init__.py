"""Full screens of the TUI."""
