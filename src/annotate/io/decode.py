"""Bytes to text, refusing what is not text with a message that says where and what to do."""

from __future__ import annotations

from annotate.errors import InputError

BOM = "\ufeff"


def decode(source: str, data: bytes) -> str:
    """UTF-8 text with the BOM dropped and line ends as ``\\n``; raise InputError otherwise."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            source,
            f"contains a NUL byte at byte {nul}: a binary file, or text in UTF-16? "
            "Convert it to UTF-8 plain text.",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            source,
            f"not valid UTF-8 at byte {error.start} (line {line}, byte "
            f"{data[error.start]:#04x}); re-encode it as UTF-8 (e.g. iconv -f latin1 -t utf-8).",
        ) from None
    text = text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(source, "is empty: there is no text to annotate.")
    return text
