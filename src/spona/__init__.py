"""Spona: front office and back office as one integrated business platform."""

__version__ = "0.1.0"
