"""The base class every annotator plugin subclasses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from spacy.language import Language

    from annotate.model import Annotation, Document


class Annotator:
    """Reads a document (its text, earlier layers, the shared spaCy parse) and returns annotations.

    Subclasses declare:

    - ``name``: unique across all plugins, used in the config and the output;
    - ``version``: bump it when output changes (it is part of the cache key);
    - ``assigns``: the layers it writes (annotation layers and/or ``Document.document`` keys);
    - ``requires``: the layers it reads; the runner orders the pipeline from these;
    - ``spacy_components``: the spaCy pipeline components it needs in ``doc.spacy``
      (``()`` for tokens and sentences-by-parse-free use, ``None`` if it does not use spaCy);
    - ``default_config``: every config key it accepts, with its default.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0.0.0"
    assigns: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    spacy_components: ClassVar[tuple[str, ...] | None] = None
    default_config: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def setup(self, nlp: Language | None) -> None:
        """Called once per process with the loaded spaCy pipeline (``None`` if none is loaded)."""

    def annotate(self, doc: Document) -> Iterable[Annotation]:
        """Return this annotator's annotations for ``doc``.

        Document-level results go in ``doc.document[layer]`` for a layer in ``assigns``.
        """
        raise NotImplementedError
