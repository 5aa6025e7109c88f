"""The ``moderation`` command: the root that reaches the web service, the workers and the tools.

The service never imports the workers; this package sits above both. The model tools and
the benchmark are loaded only when their command runs, so that a runtime install
(without the ``tools`` extra) still has every other command.
"""

from cli.main import cli

__all__ = ["cli"]
