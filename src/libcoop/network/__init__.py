"""The network registry: institutions, networks, working groups, memberships and seats."""
