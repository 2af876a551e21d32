"""Where settings come from: the config file, folders, stored credentials."""
