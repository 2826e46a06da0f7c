"""The config stage."""
