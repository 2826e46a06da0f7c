"""The perform stage."""
