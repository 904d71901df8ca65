"""Settings keys that were replaced: an error naming the successor, never silence."""

from __future__ import annotations

from typing import Any

from attrs import Attribute, field


def replaced_by(new: str) -> Any:
    """A settings field for a removed key: any value is an error naming its replacement.

    A configuration that still sets the old key fails with one line such as
    ``$.settings.regulatory_readiness: change_deadline_working_days was replaced by
    [settings.filings].change_deadline_working_days``, so a scorer and a rule pack can
    never silently disagree about a legal parameter. The field's metadata
    (``replaced_by``) keeps it out of the documented keys and the example configuration.
    """

    def check(_: Any, attribute: Attribute[Any], value: Any) -> None:
        if value is not None:
            raise ValueError(f"{attribute.name} was replaced by {new}")

    return field(default=None, validator=check, metadata={"replaced_by": new})
