"""Small console scripts (demo, benchmarks, data and pipeline stages)."""
