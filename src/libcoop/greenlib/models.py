"""Models of green-library assessment."""
