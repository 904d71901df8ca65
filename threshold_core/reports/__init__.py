"""Pure renderers: text, markdown, HTML, JSON Schema, the plugin and rule catalog
(layer 7).
"""

from __future__ import annotations

from ._catalog import (
    describe_plugins,
    describe_rules,
)
from ._diff import (
    render_diff_text,
)
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
    text_table,
)

__all__ = [
    "describe_plugins",
    "describe_rules",
    "render_diff_text",
    "render_html",
    "render_markdowns",
    "render_texts",
    "schema",
    "text_table",
    "waterfall_svg",
]
