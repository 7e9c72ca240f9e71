"""Models of knowledge exchange."""
