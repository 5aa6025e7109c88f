"""`moderation bench`: the service against a plain Detoxify service, measured in one run."""
