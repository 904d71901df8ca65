"""Pure renderers: text, markdown, HTML, JSON Schema, the plugin and rule catalog
(layer 7).
"""

from __future__ import annotations

from ._catalog import (
    describe_plugins,
    describe_rules,
)
from ._ci import junit, sarif
from ._diff import (
    render_diff_text,
)
from ._document import DEFAULT as DEFAULT_REPORT_OPTIONS
from ._document import Options as ReportOptions
from ._document import blocks, md_escape, text_table
from ._figures import Step, coverage_rows, not_evaluated, waterfall_steps
from ._frame import decision_row, decisions_frame
from ._html import (
    render_html,
    waterfall_svg,
)
from ._schema import (
    schema,
)
from ._text import (
    render_markdowns,
    render_texts,
)

__all__ = [
    "DEFAULT_REPORT_OPTIONS",
    "ReportOptions",
    "Step",
    "blocks",
    "coverage_rows",
    "decision_row",
    "decisions_frame",
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
