"""`python -m ticos_tui` runs the command line."""

from ticos_tui.cli import main

raise SystemExit(main())
