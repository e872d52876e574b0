"""Config files: merged over the built-in default, wrong keys caught with their line."""

from __future__ import annotations

import pytest

from annotate.api import build_pipeline
from annotate.config import load_config
from annotate.errors import ConfigError


def write(tmp_path, text: str):
    path = tmp_path / "annotate.yaml"
    path.write_text(text)
    return path


def test_user_file_overrides_only_what_it_names(tmp_path):
    config = load_config(write(tmp_path, "batch_size: 8\nmerge:\n  match: overlap\n"))
    assert config["batch_size"] == 8
    assert config["merge"]["match"] == "overlap"
    assert config["merge"]["policy"] == "merge"  # untouched default


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "batch_size: 8\npipelin: [entities]\n",
            r"line 2: unknown key 'pipelin'. Available: .*pipeline",
        ),
        ("merge:\n  polcy: merge\n", r"line 2: unknown key 'merge.polcy'"),
        ("pipeline: entities\n", r"line 1: 'pipeline' must be a list"),
        ("pipeline: [entities\n", r"line 2: not valid YAML"),
        ("- a\n- b\n", r"must be a YAML mapping"),
        ("merge:\n  policy: sometimes\n", r"merge.policy is merge or keep-all"),
    ],
)
def test_malformed_config_names_the_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_unknown_annotator_and_setting_are_errors_with_available_names(tmp_path):
    with pytest.raises(ConfigError, match=r"line 1: no annotator named 'entitys'.*entities"):
        build_pipeline(write(tmp_path, "pipeline: [entitys]\n"))
    path = write(tmp_path, "annotators:\n  entities:\n    propagte: false\n")
    with pytest.raises(ConfigError, match=r"line 3: unknown setting 'propagte'.*propagate"):
        build_pipeline(path)


def test_cli_config_error_exits_2_with_one_line(cli, tmp_path):
    result = cli("run", "corpus", "-o", tmp_path / "out", "-c", write(tmp_path, "nope: 1\n"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "unknown key 'nope'" in result.stderr
