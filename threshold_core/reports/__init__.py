"""Pure renderers: text, markdown, HTML, JSON Schema, the plugin and rule catalog
(layer 7).

Names load on first use (PEP 562): a text report imports the text renderer, not
the HTML, SARIF or schema ones.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._catalog import (
        describe_parameters,
        describe_plugins,
        describe_rules,
    )
    from ._charts import waterfall_svg
    from ._ci import junit, sarif
    from ._diff import (
        render_diff_text,
    )
    from ._document import DEFAULT as DEFAULT_REPORT_OPTIONS
    from ._document import Options as ReportOptions
    from ._document import blocks
    from ._figures import Step, coverage_rows, not_evaluated, waterfall_steps
    from ._frame import decision_row, decisions_frame
    from ._html import render_html
    from ._render import md_escape, text_table
    from ._schema import (
        schema,
    )
    from ._text import (
        render_markdowns,
        render_texts,
    )

#: Public name -> (module, name in it).
_EXPORTS: dict[str, tuple[str, str]] = {
    "describe_parameters": ("._catalog", "describe_parameters"),
    "describe_plugins": ("._catalog", "describe_plugins"),
    "describe_rules": ("._catalog", "describe_rules"),
    "render_diff_text": ("._diff", "render_diff_text"),
    "render_html": ("._html", "render_html"),
    "waterfall_svg": ("._charts", "waterfall_svg"),
    "schema": ("._schema", "schema"),
    "render_markdowns": ("._text", "render_markdowns"),
    "render_texts": ("._text", "render_texts"),
    "junit": ("._ci", "junit"),
    "sarif": ("._ci", "sarif"),
    "DEFAULT_REPORT_OPTIONS": ("._document", "DEFAULT"),
    "ReportOptions": ("._document", "Options"),
    "blocks": ("._document", "blocks"),
    "md_escape": ("._render", "md_escape"),
    "text_table": ("._render", "text_table"),
    "Step": ("._figures", "Step"),
    "coverage_rows": ("._figures", "coverage_rows"),
    "not_evaluated": ("._figures", "not_evaluated"),
    "waterfall_steps": ("._figures", "waterfall_steps"),
    "decision_row": ("._frame", "decision_row"),
    "decisions_frame": ("._frame", "decisions_frame"),
}


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0], __name__), where[1])
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "DEFAULT_REPORT_OPTIONS",
    "ReportOptions",
    "Step",
    "blocks",
    "coverage_rows",
    "decision_row",
    "decisions_frame",
    "describe_parameters",
    "describe_plugins",
    "describe_rules",
    "junit",
    "md_escape",
    "not_evaluated",
    "render_diff_text",
    "render_html",
    "render_markdowns",
    "render_texts",
    "sarif",
    "schema",
    "text_table",
    "waterfall_steps",
    "waterfall_svg",
]
