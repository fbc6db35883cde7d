"""Append-only record of who read or changed what, and why."""
