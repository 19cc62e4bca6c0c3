"""The bridge between front and back office: automation, and later insights."""
