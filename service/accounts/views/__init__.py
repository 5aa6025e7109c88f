"""The accounts' dashboard pages: the front door, login, API tokens and the audit log."""
