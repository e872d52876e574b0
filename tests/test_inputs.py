"""Bad input: one clear line on stderr naming the file, nothing written lost, exit code 1."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, read_outputs


@pytest.fixture
def good(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("---\nid: good\ndate: 2025-02-01\n---\nOracle grew.\n")
    return folder


def run_one(cli, tmp_path, good, name: str, data: bytes):
    (good / name).write_bytes(data)
    result = cli("run", good, "-o", tmp_path / "out")
    return result, read_outputs(tmp_path / "out")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL byte at byte 8"),
        ("latin1.txt", "Caf\xe9 Nero".encode("latin-1"), "not valid UTF-8 at byte 3"),
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"  \n\n", "is empty"),
        ("nul.txt", b"Oracle\x00 grew", "NUL byte at byte 6"),
        ("broken.txt", b"---\nid: [oops\n---\nText.\n", "broken front matter"),
        ("emptyint.txt", b"---\nn: !!int\n---\nText.\n", "broken front matter, a value"),
        ("unclosed.txt", b"---\nid: x\nText without an end.\n", "never closed"),
        ("notmap.txt", b"---\n- a\n- b\n---\nText.\n", "front matter must be"),
    ],
)
def test_bad_file_is_one_line_and_the_rest_is_written(cli, tmp_path, good, name, data, message):
    result, outputs = run_one(cli, tmp_path, good, name, data)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and message in lines[0]
    assert "good" in outputs


def test_bom_and_crlf_are_normalised(cli, tmp_path, good):
    data = "\ufeff---\r\nid: win\r\n---\r\nOracle grew.\r\nSoftBank fell.\r\n".encode()
    result, outputs = run_one(cli, tmp_path, good, "win.txt", data)
    assert result.exit_code == 0, result.stderr
    assert outputs["win"]["text"] == "Oracle grew.\nSoftBank fell.\n"


def test_huge_document_is_refused_with_the_fix(cli, tmp_path, good):
    huge = ("Oracle and SoftBank announced a deal. " * 140_000).encode()  # ~5 MB
    result, outputs = run_one(cli, tmp_path, good, "huge.txt", huge)
    assert result.exit_code == 1
    assert "huge.txt" in result.stderr and "max_chars" in result.stderr
    assert "good" in outputs


def test_long_document_is_parsed_in_pieces(annotate_text):
    from annotate import nlp

    text = "Kestrel Robotics Inc. signed a deal with Norvalis AG in Berlin.\n\n" * 2_000
    assert len(text) > nlp.CHUNK_CHARS
    doc = annotate_text(text, "entities")
    assert len(doc.layer("entities")) >= 4_000
    assert doc.annotations[-1].end <= len(text)


def test_unknown_extension_and_unreadable(cli, tmp_path, good):
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(tmp_path / "gone", good / "dangling.txt")
    result = cli("run", good, tmp_path / "paper.pdf", "-o", tmp_path / "out")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, result.stderr
    assert any("paper.pdf" in e and "unknown file type '.pdf'" in e for e in errors)
    assert any("dangling.txt" in e and "cannot be read" in e for e in errors)
    assert "good" in read_outputs(tmp_path / "out")
    # A missing input path is a usage error (test_hostile.test_missing_input_is_a_usage_error).


def test_malformed_jsonl_line_names_the_line(cli, tmp_path):
    data = tmp_path / "batch.jsonl"
    data.write_text(
        '{"id": "one", "text": "Oracle grew.", "date": "2025-01-01", "desk": "tech"}\n'
        "{not json\n"
        '{"id": "three"}\n'
        "\n"
        '{"text": "SoftBank fell."}\n'
    )
    result = cli("run", data, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "batch.jsonl, line 2" in result.stderr and "not valid JSON" in result.stderr
    assert "batch.jsonl, line 3" in result.stderr and '"text"' in result.stderr
    outputs = read_outputs(tmp_path / "out")
    assert set(outputs) == {"one", "batch-5"}
    assert outputs["one"]["meta"]["desk"] == "tech"
    assert outputs["one"]["meta"]["date"] == "2025-01-01"


def test_ids_never_escape_the_output_folder(cli, tmp_path):
    data = tmp_path / "evil.jsonl"
    data.write_text(
        '{"id": "../../escaped", "text": "Oracle grew."}\n{"id": "/etc/passwd", "text": "x y"}\n'
    )
    out = tmp_path / "deep" / "out"
    assert cli("run", data, "-o", out).exit_code == 0
    written = list(out.iterdir())
    assert len(written) == 2
    assert not (tmp_path / "escaped.json").exists()
    assert {json.loads(p.read_text())["id"] for p in written} == {"../../escaped", "/etc/passwd"}


def test_duplicate_id_is_an_error_and_keeps_the_first(cli, tmp_path):
    data = tmp_path / "dup.jsonl"
    data.write_text('{"id": "a", "text": "First text."}\n{"id": "a", "text": "Second text."}\n')
    result = cli("run", data, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "duplicate document id 'a'" in result.stderr
    assert read_outputs(tmp_path / "out")["a"]["text"] == "First text."


def test_failed_rerun_never_corrupts_earlier_output(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", CORPUS, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe")
    assert cli("run", CORPUS, bad, "-o", out).exit_code == 1
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # same files, same bytes, no temp files left behind


_YAML_CHARS = [
    *"ab1-: '\"[]{},#&!%|>?@`\\.~*\t\r\x85\u2028\ufeffé\u00a0/=",
    *["2025-01-02", "2025-13-45", "10:30", "yes", "null", "0x1f", ".nan", "1e400", "!!set"],
]
_YAML_TEXT = st.lists(st.sampled_from(_YAML_CHARS), max_size=8).map("".join)
_YAML_LINE = st.builds(
    lambda key, value: f"{key}:{value}",
    st.sampled_from(["id", "date", "title", "a_b", "x.y"]),
    st.one_of(
        st.just(""),
        _YAML_TEXT.map(lambda v: f" {v}"),
        _YAML_TEXT.map(lambda v: f' "{v}"'),
        _YAML_TEXT.map(lambda v: f" '{v}' "),
    ),
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(_YAML_LINE, max_size=4).map("\n".join), _YAML_TEXT))
def test_front_matter_reads_as_the_careful_loader_reads_it(text):
    """libyaml reads plain ``key: value`` front matter; what it gives, or the error worded for
    it, is what PyYAML's own parser with the refusals gives."""
    from annotate.io.readers import FrontMatterLoader, _load_front_matter

    def outcome(load):
        try:
            return "ok", load()
        except Exception as error:  # PyYAML raises plain errors on some odd values
            return type(error).__name__, str(error)

    careful = outcome(lambda: yaml.load(text, Loader=FrontMatterLoader))
    assert outcome(lambda: _load_front_matter(text)) == careful
