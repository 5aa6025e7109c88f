"""The moderators' dashboard pages: the review queue and the site settings."""
