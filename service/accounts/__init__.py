"""Moderator accounts and the dashboard's shell: login, roles, tokens, audit, CSRF, navigation.

Every other domain's dashboard pages and protected API routes build on this one.
"""
