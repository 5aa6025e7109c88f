"""Helpers shared by the tests: real servers, databases and a tiny model."""
