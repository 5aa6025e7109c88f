"""Scoring: the Detoxify scorer and the RQ job that decides pending comments."""
