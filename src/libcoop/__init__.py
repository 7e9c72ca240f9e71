"""LibCoop: a platform for a network of cooperating libraries."""

__version__ = "0.1.0"
