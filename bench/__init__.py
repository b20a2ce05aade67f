"""Engine benchmarks: `make bench` (or `python -m bench`). A benchmark, never a timed test."""
