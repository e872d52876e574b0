"""``annotate new plugin NAME``: a ready, tested, installable annotator package."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from string import Template

from annotate import DISTRIBUTION, __version__
from annotate.api import load_registry
from annotate.config import load_config
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
dependencies = ["$annotate_dist>=$annotate_version"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.annotate]
$module = "$module"

[tool.hatch.build.targets.wheel]
packages = ["src/$module"]

[tool.pytest.ini_options]
testpaths = ["tests"]
""",
    "README.md": """\
# $dist

An [annotate](https://pypi.org/project/$annotate_dist/) plugin adding the `$name` annotator
(layer `$name`). annotate is installed as `$annotate_dist`; it imports as `annotate`.

In the environment annotate is installed in (after `make run` in annotate's checkout:
`. .venv/bin/activate`):

```sh
pip install -e '.[test]'  # annotate finds it through its `annotate` entry point
python -m pytest          # the tests use annotate's test kit
annotate plugins          # lists $name, active in the default pipeline
annotate run corpus/ -o out/
```

Once installed, `$name` joins the default pipeline; a config file that pins `pipeline:` must
name it. Edit `src/$module/__init__.py` (the annotator), `src/$module/config.yaml` (its
settings) and `tests/examples.yaml` (examples that become tests).
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
from pathlib import Path

import pytest

from annotate.testing import assert_span, check_example, examples

EXAMPLES = Path(__file__).with_name("examples.yaml")


@pytest.mark.parametrize("case", examples(EXAMPLES))
def test_examples(annotate_text, case):
    check_example(annotate_text, case)


def test_offsets_and_attrs(annotate_text):
    doc = annotate_text("After the merger, the partnership grew.", "$name")
    span = assert_span(doc, "$name", "partnership", "KEYWORD")
    assert doc.text[span.start : span.end] == "partnership"
""",
}


def next_steps(folder: Path) -> list[str]:
    """The shell commands to run after generating ``folder``, as ``annotate new`` prints them."""
    return [f"cd {shlex.quote(str(folder))}", "pip install -e '.[test]'", "python -m pytest"]


def check_name(name: str) -> str:
    """The module and annotator name for the plugin ``name``; an error if it is not free."""
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", name):
        raise ConfigError(
            f"plugin name {name!r}: use lower-case letters, digits and '-', e.g. acme-tickers."
        )
    module = name.replace("-", "_")
    registry = load_registry(load_config())
    if module in registry.annotators:
        entry = registry.annotators[module]
        raise ConfigError(
            f"plugin name {name!r}: an annotator named '{module}' already exists "
            f"({entry.origin}, {entry.plugin}); choose another name, e.g. acme-{name}."
        )
    spec = importlib.util.find_spec(module)
    if spec is not None and spec.origin is not None:  # a namespace package is only a folder
        raise ConfigError(
            f"plugin name {name!r}: a module named '{module}' is already importable and would "
            f"be shadowed; choose another name, e.g. acme-{name}."
        )
    return module


def new_plugin(name: str, parent: str | Path = ".") -> Path:
    """Write the plugin package ``name`` (e.g. "acme-tickers") in ``parent``; return its path."""
    module = check_name(name)
    folder = Path(parent) / name
    if folder.exists():
        raise ConfigError(f"{folder} already exists; choose another name or folder.")
    values = {
        "name": module,
        "dist": name,
        "module": module,
        "cls": "".join(part.title() for part in re.split(r"[-_]", name)),
        "annotate_dist": DISTRIBUTION,
        "annotate_version": __version__,
    }
    for relative, template in FILES.items():
        path = folder / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
    return folder
