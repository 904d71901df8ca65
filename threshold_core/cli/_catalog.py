"""``threshold plugins``, ``threshold rules`` and ``threshold schema``: what is installed, every
rule and parameter with its source, and the JSON Schemas.
"""

from __future__ import annotations

from typing import Any

import click

from ._app import CONTEXT_SETTINGS, Options, _handle, engine_options, keeps_start_up


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--all", "include_builtin", is_flag=True, help="Include the built-in plugins.")
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
@keeps_start_up
def plugins(
    options: Options, include_builtin: bool, fmt: str,
) -> None:
    """List the plugins loaded: name, version, origin, components and hooks."""
    from ..load import dumps
    from ..reports import describe_plugins

    engine = options.build_engine()
    listing = describe_plugins(engine, include_builtin=include_builtin)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    if not listing:
        click.echo("No third-party plugins loaded (use --all to include the built-ins).")
    for p in listing:
        where = p["distribution"] or p["path"] or ""
        click.echo(f"{p['name']} {p['version']} [{p['origin']}] {where}".rstrip())
        if p["path"] and p["origin"] == "drop_in":
            click.echo(f"  file: {p['path']}")
        click.echo(f"  components: {', '.join(p['components']) or '-'}")
        click.echo(f"  hooks: {', '.join(p['hooks'])}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--pack", help="Only the rules of this pack (with --parameters: only its "
                            "thresholds).")
@click.option("--parameters", "show_parameters", is_flag=True,
              help="List the scorers' weights, bands and parameters, the rule packs' "
                   "thresholds and the core's (line, FX, policy, risk, explain), with their "
                   "sources, instead of the rules.")
@click.option("--scorer", help="With --parameters: only this scorer's.")
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
@keeps_start_up
def rules(
    options: Options, pack: str | None, show_parameters: bool, scorer: str | None, fmt: str,
) -> None:
    """List every compliance rule: id, pack, severity, dimension, title, source.

    A rule whose severity depends on the profile shows every severity it can
    fire at, most severe first (``critical / high``).

    With --parameters, list every scorer's weights, bands and other numeric
    settings, every rule pack's thresholds (the numbers, dates and severities of
    its settings) and the core's own (the line, FX table, dimension weights,
    policy, risk and explanation), in force instead: value, basis (primary, secondary, house
    policy; configured when the configuration changed it; unsourced when the
    plugin names none) and source, then the count per basis. A threshold that
    cannot change a decision under the configuration (every rule that uses it
    disabled, its scorer not used) is listed as not in effect, with the reason
    below the table. --scorer and --pack keep one component's.
    """
    from ..load import dumps
    from ..reports import describe_rules, text_table

    engine = options.build_engine()
    if show_parameters or scorer is not None:
        _parameters(engine, scorer, pack, fmt)
        return
    _known(pack, engine.packs, "rule pack", "--pack")
    listing = describe_rules(engine, pack=pack)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    rows = [[r["id"], r["pack"],
             " / ".join(r["severities"]) + (" (disabled)" if r["disabled"] else ""),
             r["dimension"] or "-", r["title"], r["source"]] for r in listing]
    click.echo("\n".join(text_table(["id", "pack", "severity", "dimension", "title", "source"],
                                rows, right=set())))


def _known(name: str | None, known: Any, what: str, hint: str) -> None:
    """A usage error (exit 2) when ``name`` is given and not among ``known``."""
    if name is not None and name not in known:
        raise click.BadParameter(f"no {what} {name!r} (known: {', '.join(sorted(known))})",
                                 param_hint=hint)


def _parameters(engine: Any, scorer: str | None, pack: str | None, fmt: str) -> None:
    from ..load import dumps
    from ..reports import describe_parameters, text_table

    _known(scorer, engine.scorers, "scorer", "--scorer")
    _known(pack, engine.packs, "rule pack", "--pack")
    listing = describe_parameters(engine, scorer=scorer, pack=pack)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    rows = [[r.get("scorer") or r.get("pack") or r["section"], r["parameter"], r["value"],
             r["basis"] + (" (not in effect)" if "not_in_effect" in r else ""),
             r["source"] or "-"] for r in listing]
    click.echo("\n".join(text_table(["component", "parameter", "value", "basis", "source"],
                                    rows, right=set())))
    counts: dict[str, int] = {}
    off: dict[str, int] = {}
    for r in listing:
        counts[r["basis"]] = counts.get(r["basis"], 0) + 1
        if "not_in_effect" in r:
            off[r["not_in_effect"]] = off.get(r["not_in_effect"], 0) + 1
    click.echo(f"\n{len(listing)} parameter{'' if len(listing) == 1 else 's'}"
               + "".join(f"{', ' if i else ': '}{n} {b}"
                         for i, (b, n) in enumerate(sorted(counts.items()))))
    if off:
        # Listed, not left out: a reviewer sees every threshold, and why some cannot change
        # a decision under this configuration.
        total = sum(off.values())
        click.echo(f"{total} of them not in effect under this configuration (they cannot "
                   "change a decision):")
        for why, n in off.items():
            click.echo(f"  {n}: {why}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name", type=click.Choice(["decision", "profile", "config"]))
@engine_options
@_handle
@keeps_start_up
def schema(options: Options, name: str) -> None:
    """Print the JSON Schema of a decision, a profile or the configuration.

    The configuration schema includes the settings sections of the plugins
    loaded; the profile schema, the [extensions.<name>] section each plugin
    loaded declares.
    """
    from ..load import dumps
    from ..reports import schema as make_schema

    types: dict[str, type] = {}
    extensions: dict[str, type] = {}
    declared_by: dict[str, str] = {}
    if name == "config":
        from ..engine import declared_settings_types

        engine = options.build_engine()
        types = {k: v[0] for k, v in declared_settings_types(engine.pm).items()}
    elif name == "profile":
        engine = options.build_engine()
        extensions = dict(engine.extension_types.types)
        declared_by = dict(engine.extension_types.plugins)
    click.echo(dumps(make_schema(name, types, extensions, declared_by)), nl=False)
