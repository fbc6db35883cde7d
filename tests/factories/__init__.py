"""Typed factories, one module per context."""
