"""Comments: their storage, their decisions, and the public API that readers use."""
