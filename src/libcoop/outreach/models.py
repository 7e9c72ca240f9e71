"""Models of outreach programmes."""
