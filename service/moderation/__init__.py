"""Moderation by people: accounts, the review dashboard and the moderation API."""
