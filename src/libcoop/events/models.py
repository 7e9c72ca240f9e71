"""Models of network events."""
