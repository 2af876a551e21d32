"""Benchmark scripts: each prints a table and compares against a floor measured in the same run."""
