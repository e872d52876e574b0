"""Corpus analytics: annotate output in a DuckDB database, queried in SQL and drawn in a report.

``store`` loads output records into the tables (incrementally), ``aliases`` gives each
organisation one name across the corpus, ``queries`` holds the named queries and ``report``
draws the HTML page. DuckDB and vl-convert are imported only where they are used, so the
``annotate`` command starts as fast without them.
"""
