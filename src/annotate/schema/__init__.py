"""The JSON Schema of annotate's output, shipped with the package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_TEXT = resources.files(__package__).joinpath("annotate-v2.json").read_text()
SCHEMA: dict[str, Any] = json.loads(SCHEMA_TEXT)


def validate(record: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``record`` is not valid annotate/v2 output."""
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(record)
