"""Commenters: the publisher's signed-in readers, their standing and their data."""
