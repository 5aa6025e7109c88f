"""Perspective-compatible scoring: a drop-in for Perspective API (Coral Talk and others)."""
