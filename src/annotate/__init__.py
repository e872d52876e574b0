"""annotate: a plugin-based text annotation toolkit.

Annotators (entities, money, dates, stance, and any plugin's) run over each document and
their results merge into one JSON annotation layer.
"""

from annotate.annotator import Annotator
from annotate.api import annotate_text, build_pipeline
from annotate.errors import AnnotateError, ConfigError, InputError, PluginError
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

__version__ = "0.1.0"

__all__ = [
    "AnnotateError",
    "Annotation",
    "Annotator",
    "ConfigError",
    "Document",
    "InputError",
    "PluginError",
    "annotate_text",
    "build_pipeline",
    "hookimpl",
]
