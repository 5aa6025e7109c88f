"""Webhooks: endpoints that publishers register, and the signed deliveries they get."""
