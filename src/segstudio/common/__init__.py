"""The common stage."""
