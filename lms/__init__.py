"""Workshop LMS for multi-municipality DX training."""

__version__ = "0.1.0"
