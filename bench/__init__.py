"""Benchmarks of the WKSBM Registry (run from the project root, e.g.
`.venv/bin/python bench/import_bench.py`); not part of the installed package or the test suite."""
