"""Where a command's text goes: standard output, or the ``--output`` file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from ._app import _use_colour


def write_output(text: str, output: Path | None) -> None:
    """Print, or write the file atomically (temporary file, then rename); a symbolic
    link's target is written (the link kept), a device or FIFO in place
    (:func:`~threshold_core.errors.output_target`)."""
    if output is None:
        click.echo(text, nl=False, color=_use_colour())
        return
    from ..errors import cannot_write, output_target

    named = output
    output, atomic = output_target(output)
    if not atomic:
        doing = "opening it"
        try:
            with output.open("w", encoding="utf-8") as fh:
                doing = "writing to it"
                fh.write(click.unstyle(text))
        except OSError as exc:
            raise cannot_write(named, exc, doing) from None
        return
    with atomic_text(output, named) as fh:
        fh.write(click.unstyle(text))


@contextmanager
def atomic_text(output: Path, named: Path | None = None) -> Iterator[TextIO]:
    """A text file written whole or not at all: a temporary file in the same folder,
    renamed over ``output`` once the block ends without an error (a killed run leaves
    ``output`` as it was, never a partial file under its name). An existing file keeps its
    permissions; a new one gets what the umask gives, as for a shell redirection. An
    ``OSError`` is a one-line :func:`~threshold_core.errors.cannot_write` naming
    ``named`` (the path as the user gave it; ``output`` by default)."""
    from ..errors import cannot_write, kept_mode

    named = output if named is None else named
    folder = output.parent
    doing = f"creating its folder {folder}"
    try:
        folder = output.resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile

        doing = f"creating a temporary file in {folder}"
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as exc:
        raise cannot_write(named, exc, doing) from None
    try:
        # mkstemp makes the file private (0600); the output is an ordinary file.
        doing = f"writing a temporary file in {folder}"
        os.chmod(tmp, kept_mode(output, 0o666 & ~_umask()))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        doing = "renaming a temporary file over it"
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(named, exc, doing) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
