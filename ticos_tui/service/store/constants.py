"""The stores' timings: how often key uses are written, how long a call may wait."""

FLUSH_INTERVAL = 1.0  # seconds between writes of coalesced key uses
WRITE_TIMEOUT = 5.0  # seconds a store call may wait (a lock, a connection) before giving up
