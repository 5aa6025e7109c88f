"""The scorer's one error, shared by the torch and the ONNX scorers."""

from __future__ import annotations


class ModelUnavailable(RuntimeError):
    """The configured model cannot be loaded; the message says why and what to set."""
