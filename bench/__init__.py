"""Spona's benchmarks: figures measured on SQLite and PostgreSQL in one run.

``python -m bench`` (``make bench``) runs every benchmark on both databases and prints a
table; ``python -m bench --help`` shows how to run one benchmark on one database. Each
benchmark runs in its own process on a fresh database (Django's settings are read once per
process), so the figures of one do not depend on another. Never part of the test run.
"""
