"""annotate: a plugin-based text annotation toolkit.

Annotators (entities, money, dates, stance, and any plugin's) run over each document and
their results merge into one JSON annotation layer.
"""

from importlib import metadata

from annotate.annotator import Annotator
from annotate.api import annotate_text, build_pipeline
from annotate.errors import AnnotateError, ConfigError, InputError, PluginError
from annotate.hookspecs import hookimpl
from annotate.model import Annotation, Document

DISTRIBUTION = "annotate-news"  # the name on the package registry; the import name is annotate

try:
    __version__ = metadata.version(DISTRIBUTION)
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

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
