"""Built-in compliance rule packs of threshold."""
