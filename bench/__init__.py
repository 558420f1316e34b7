"""Benchmarks: never part of the test run (``make bench`` / ``make bench-quick``)."""
