"""``annotate new plugin NAME``: a ready, tested, installable annotator package."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from annotate import __version__
from annotate.errors import ConfigError

FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "$dist"
version = "0.1.0"
description = "An annotate plugin: the $name annotator."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["annotate>=$annotate_version"]

[project.entry-points.annotate]
$module = "$module"

[tool.hatch.build.targets.wheel]
packages = ["src/$module"]
""",
    "README.md": """\
# $dist

An [annotate](https://pypi.org/project/annotate/) plugin adding the `$name` annotator
(layer `$name`).

```sh
pip install -e .          # annotate finds it through its `annotate` entry point
annotate plugins          # lists $name
annotate run corpus/ -o out/ --only entities,$name
pytest                    # the tests use annotate's test kit
```

Edit `src/$module/__init__.py` (the annotator), `src/$module/config.yaml` (its settings)
and `tests/examples.yaml` (examples that become tests).
""",
    "src/$module/__init__.py": '''\
"""The $name annotator: marks words from a configurable list."""

import re
from importlib import resources

import yaml

import annotate

DEFAULTS = yaml.safe_load(resources.files(__package__).joinpath("config.yaml").read_text())


class $cls(annotate.Annotator):
    """Finds the configured words, case-insensitively, as whole words."""

    name = "$name"
    version = "0.1.0"
    assigns = ("$name",)
    requires = ()
    spacy_components = None
    default_config = DEFAULTS

    def setup(self, nlp):
        words = sorted(self.config["words"], key=len, reverse=True)
        self.pattern = re.compile(r"\\b(" + "|".join(map(re.escape, words)) + r")\\b", re.I)

    def annotate(self, doc):
        for match in self.pattern.finditer(doc.text):
            yield annotate.Annotation(
                "$name", match.start(), match.end(), self.config["label"],
                {"word": match.group().lower()},
            )


@annotate.hookimpl
def register_annotators(register):
    register($cls)
''',
    "src/$module/config.yaml": """\
# Settings of the $name annotator (override under annotators.$name in annotate.yaml).
label: KEYWORD
words: [merger, acquisition, partnership]
""",
    "tests/examples.yaml": """\
# Examples that become tests (annotate.testing.examples).
annotators: [$name]
layer: $name
examples:
  - text: The merger was approved.
    expect:
      - {text: merger, label: KEYWORD, attrs: {word: merger}}
  - text: A new Partnership and an acquisition.
    expect:
      - {text: Partnership, attrs: {word: partnership}}
      - {text: acquisition}
  - text: Nothing to see here.
    expect: []
""",
    "tests/test_$module.py": """\
import pytest

from annotate.testing import assert_span, check_example, examples


@pytest.mark.parametrize("case", examples("tests/examples.yaml"))
def test_examples(annotate_text, case):
    check_example(annotate_text, case)


def test_offsets_and_attrs(annotate_text):
    doc = annotate_text("After the merger, the partnership grew.", "$name")
    span = assert_span(doc, "$name", "partnership", "KEYWORD")
    assert doc.text[span.start : span.end] == "partnership"
""",
}


def new_plugin(name: str, parent: str | Path = ".") -> Path:
    """Write the plugin package ``name`` (e.g. "acme-tickers") in ``parent``; return its path."""
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", name):
        raise ConfigError(
            f"plugin name {name!r}: use lower-case letters, digits and '-', e.g. acme-tickers."
        )
    module = name.replace("-", "_")
    folder = Path(parent) / name
    if folder.exists():
        raise ConfigError(f"{folder} already exists; choose another name or folder.")
    values = {
        "name": module,
        "dist": name,
        "module": module,
        "cls": "".join(part.title() for part in re.split(r"[-_]", name)),
        "annotate_version": __version__,
    }
    for relative, template in FILES.items():
        path = folder / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
    return folder
