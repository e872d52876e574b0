"""Stock tickers like $MSFT: a minimal third-party annotate plugin."""

import re

import annotate


class Tickers(annotate.Annotator):
    name = "tickers"
    version = "0.3.0"
    assigns = ("tickers",)

    def annotate(self, doc):
        for match in re.finditer(r"\$([A-Z]{1,5})\b", doc.text):
            yield annotate.Annotation(
                "tickers", match.start(), match.end(), "TICKER", {"symbol": match.group(1)}
            )


@annotate.hookimpl
def register_annotators(register):
    register(Tickers)
