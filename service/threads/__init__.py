"""Threads: the articles that comments answer, with a headline, a link and their rules."""
