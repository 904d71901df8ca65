"""``threshold new plugin NAME``: scaffold a scorer plugin that installs and passes its tests.

The templates ship as package data under ``threshold_core/templates/plugin``;
``$name``-style placeholders are filled with :class:`string.Template`.
"""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import click

from ._app import CONTEXT_SETTINGS, ExitCode

#: What a plugin name may look like (before the ``threshold-`` prefix is added).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

#: Template file -> where it goes in the new project (``{module}`` and ``{snake}`` filled in).
LAYOUT: tuple[tuple[str, str], ...] = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("__init__.py.tmpl", "src/{module}/__init__.py"),
    ("scorer.py.tmpl", "src/{module}/scorer.py"),
    ("test_plugin.py.tmpl", "tests/test_{module}.py"),
)


def plugin_names(name: str, dimension: str | None = None) -> dict[str, str]:
    """The names a plugin called ``name`` gets: distribution, module, entry point, ...

    :raises ValueError: when ``name`` is not a lower-case identifier-like name.
    """
    short = re.sub(r"^threshold[-_]", "", name.strip().lower())
    if not NAME_PATTERN.match(short):
        raise ValueError(
            f"{name!r} is not a plugin name: use lower-case letters, digits, '-' and '_', "
            "starting with a letter (for example 'speed' or 'esg-risk')"
        )
    snake = short.replace("-", "_")
    dim = dimension or snake
    if not re.match(r"^[a-z][a-z0-9_]*$", dim):
        raise ValueError(f"{dimension!r} is not a dimension name: use lower_snake_case")
    from ..engine import engine_version

    version = engine_version()
    return {
        "name": snake,
        "dist": f"threshold-{short.replace('_', '-')}",
        "module": f"threshold_{snake}",
        "dimension": dim,
        "class_name": "".join(part.capitalize() for part in snake.split("_")),
        "threshold_version": version if version[0].isdigit() and "+" not in version else "0.1",
    }


def render_plugin(names: dict[str, str]) -> dict[str, str]:
    """Every file of the new project: relative path -> text."""
    folder = resources.files("threshold_core") / "templates" / "plugin"
    out = {}
    for template, target in LAYOUT:
        text = (folder / template).read_text(encoding="utf-8")
        out[target.format(**names)] = string.Template(text).substitute(names)
    return out


def scaffold_plugin(name: str, directory: Path, dimension: str | None = None) -> Path:
    """Write a new plugin project ``threshold-<name>`` inside ``directory``.

    :return: the project folder.
    :raises ValueError: a bad name.
    :raises FileExistsError: the project folder exists already.
    :raises InputError: a folder or file cannot be written (naming it and why).
    """
    from ..errors import cannot_write

    names = plugin_names(name, dimension)
    root = directory / names["dist"]
    if root.exists():
        raise FileExistsError(f"{root} exists already")
    for relative, text in render_plugin(names).items():
        path = root / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(path.parent, exc, "creating the folder") from None
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise cannot_write(path, exc, "writing it") from None
    return root


@click.group(context_settings=CONTEXT_SETTINGS)
def new() -> None:
    """Create a new project from a template."""


@new.command("plugin", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("--dimension", help="The dimension the scorer scores (default: NAME).")
@click.option(
    "--directory", "-d", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Where to create the project folder.",
)
def new_plugin(name: str, dimension: str | None, directory: Path) -> None:
    """Scaffold a scorer plugin package, threshold-NAME.

    It has a pyproject.toml with the entry point, a scorer module that declares
    its own profile section ([extensions.NAME]), a README and tests that use
    threshold's pytest fixtures. Installed with
    "pip install -e '.[test]'", its tests pass as they are.
    """
    from ..errors import InputError

    try:
        root = scaffold_plugin(name, directory, dimension)
    except (ValueError, FileExistsError) as exc:
        click.echo(f"threshold: {exc}", err=True)
        raise SystemExit(int(ExitCode.INVALID_INPUT)) from None
    except InputError as exc:  # a folder that cannot be written: one line, exit 2
        click.echo("\n".join(exc.lines()), err=True)
        raise SystemExit(int(ExitCode.INVALID_INPUT)) from None
    names = plugin_names(name, dimension)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        click.echo(f"created {path}")
    click.echo(
        f"\nNext:\n  cd {root}\n  python -m pip install -e '.[test]'\n  python -m pytest\n"
        f"and add [dimensions.{names['dimension']}] weight = 1 to threshold.toml to use it\n"
        f"(required = false: companies without its [extensions.{names['name']}] data are "
        "scored on the other dimensions)."
    )
