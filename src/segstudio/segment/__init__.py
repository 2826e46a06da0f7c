"""The segment stage."""
