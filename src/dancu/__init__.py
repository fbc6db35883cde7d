"""dancu: national population registry."""

__version__ = "0.1.0"
