"""What exists for start-up latency: the key prefetch and its hand-over."""
