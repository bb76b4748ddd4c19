"""Benchmark data generator and scripts (`make bench`)."""
