"""What ``-`` on standard input holds, when ``--stdin-format auto`` (the default) is asked."""

from __future__ import annotations

import json

SNIFF_BYTES = 1 << 16  # look at the first 64 KiB


def sniff_stdin(data: bytes, complete: bool = True) -> str:
    """``"jsonl"`` when every line of ``data`` is a JSON object (at least one), else ``"text"``.

    When ``data`` is only the start of the input (``complete=False``), its last line may be
    cut short and is not looked at.
    """
    lines = data.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if not complete and lines:
        lines = lines[:-1]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return "text"
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            return "text"
        if not isinstance(record, dict):
            return "text"
    return "jsonl"
