"""``python -m threshold_core``: the same as the ``threshold`` command."""

from .cli import main

if __name__ == "__main__":
    main()
