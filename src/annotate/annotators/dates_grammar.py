"""The dates grammar: patterns built from the word tables in dates.yaml, and the scan that
picks the longest expressions and joins them (modifiers, a day and a time, ranges).

What each pattern means is in ``dates_meanings``, joining what was found in ``dates_join``,
resolving against the document date in ``dates_resolver``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from annotate.annotators.dates_join import Found, Match, combined, modified, ranges, with_times
from annotate.annotators.dates_meanings import Meanings
from annotate.annotators.textnum import CARDINAL, ORDINAL, ORDINALS, alternation, norm
from annotate.annotators.textscan import Scanner, ScanSet
from annotate.annotators.timex import Expr, Holiday, holiday_names

# A rule: its pattern, what a match means, and a trigger the text must contain (or None).
Rule = tuple[Scanner, Callable[[Match, str], Expr | None], re.Pattern[str] | None]


def _anycase(words: Any) -> str:
    """An alternation of ``words`` in lower case, Title case and UPPER case."""
    return alternation({v for w in words for v in (w.lower(), w.title(), w.upper())})


def _alternation(words: Mapping[str, Any] | list[str]) -> str:
    return alternation(words)


def _word_start(words: Mapping[str, Any]) -> str:
    """An alternation of ``words``, which starts a word (``\\b``) if each of them does."""
    words_at = _alternation(words)
    return rf"\b(?:{words_at})" if all(re.match(r"\w", w) for w in words) else words_at


class Grammar(Meanings):
    """The patterns built from the word tables; ``scan`` returns the expressions in a text."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        table = {k: v for k, v in config.items() if isinstance(v, Mapping)}
        live = {k: {w: v for w, v in t.items() if v is not None} for k, t in table.items()}
        self.months = live["months"]
        self.ambiguous = {w for w, v in live["ambiguous_months"].items() if v}
        self.month_context = {w for w, v in live["month_context"].items() if v}
        self.weekdays = {k.lower(): v for k, v in live["weekdays"].items()}
        self.weekday_abbreviations = live["weekday_abbreviations"]
        self.weekday_words = {
            **self.weekdays,
            **{k.lower(): v for k, v in self.weekday_abbreviations.items()},
        }
        self.units = {k.lower(): v for k, v in live["units"].items()}
        self.vague = {norm(w) for w in config["vague_numbers"]}
        self.adjectives = list(config["duration_adjectives"])
        self.ordinals = {**ORDINALS, **{k.lower(): v for k, v in live["ordinals"].items()}}
        self.seasons = live["seasons"]
        self.parts = live["parts_of_day"]
        self.zones = {w for w, v in live["timezones"].items() if v}
        self.references = {k.lower(): v for k, v in live["references"].items()}
        self.relative_days = live["relative_days"]
        self.frequencies = live["frequencies"]
        self.year_context = live["year_context"]
        countries = tuple(config["holiday_countries"])
        self.holidays = {
            **holiday_names(countries),
            **{k: Holiday.from_config(v, countries) for k, v in live["holidays"].items()},
        }
        # Matched in any case with any blanks ("black friday"); apostrophes optional
        # ("mothers day").
        self.holiday_keys = {norm(k): k for k in self.holidays}
        for mark in ("", "’"):
            self.holiday_keys |= {k.replace("'", mark): v for k, v in self.holiday_keys.items()}
        self.slash_order = config["numeric_order"]
        self.year_range = tuple(config["year_range"])
        cues = {
            tense: _alternation([w for w, v in live[f"{tense}_cues"].items() if v])
            for tense in ("future", "past")
        }
        self.cues = re.compile(
            rf"(?i:\b(?:(?P<future>{cues['future']})|(?P<past>{cues['past']}|"
            r"\w{3,}ed))\b)"
        )
        self.mods = {
            kind: {k.lower(): v for k, v in live[kind].items()}
            for kind in ("position_mods", "approx_mods", "relation_mods", "quantity_mods")
        }
        # each kind's pattern, and how far before a span's last other character it can begin
        self.prefix = {
            kind: (
                re.compile(rf"(?i:(?<![\w-])({_alternation(words)}))(?:\s+|(?<=mid)-)$"),
                max(map(len, words), default=0) + 1,
            )
            for kind, words in self.mods.items()
        }
        self.rules = self._rules()
        self.scans = ScanSet([scanner for scanner, _, _ in self.rules])

    # ---- the patterns -----------------------------------------------------------------------

    def _rules(self) -> list[Rule]:
        short = [
            w
            for w in self.months
            if any(
                o != w and o.startswith(w) and v == self.months[w] for o, v in self.months.items()
            )
        ]
        full = [w for w in self.months if w not in short]
        # Lower case ("march 3", "15 march", "first of march", "next june") only before a day
        # number that no word follows ("they march 3 miles"), after a day, "of" or
        # "next/last/this"; "may" never.
        lower = _alternation(w.lower() for w in self.months if w.lower() != "may")
        free = r"(?:at|and|in|to|of|through|until|or|on|by|from)\b"
        day_next = rf"(?=\.?\s*[0-3]?\d(?:st|nd|rd|th)?(?![\d:.,]\d)(?!\s+(?!{free})[a-z]))"
        after = (
            r"(?:(?<=\bof\s)|(?<=\bnext\s)|(?<=\blast\s)|(?<=\bthis\s)|(?<=\d\s)"
            r"|(?<=\dst\s)|(?<=\dnd\s)|(?<=\drd\s)|(?<=\dth\s))"
        )
        month = (
            rf"(?P<month>(?:{_alternation(full)})\b|(?:{_alternation(short)})\b\.?"
            rf"|(?:{lower})\b\.?{day_next}|{after}(?:{lower})\b)"
        )
        holidays = alternation(self.holiday_keys, r"\s+")
        abbr = self.weekday_abbreviations
        words = [a for a in abbr if a.lower() not in ("mon", "wed", "sat", "sun")]
        words += [w.lower() for w in words]  # "thu", "fri": no English word
        # Abbreviations that are also words (sat., sun., wed.) need a capital even with a dot.
        # Any case written out as lower, Title and UPPER variants: faster to scan than (?i:).
        names = _anycase(self.weekdays)
        weekday = (
            rf"(?P<weekday>(?:{names})(?!\.\w)|(?:{_anycase(words)})\.|(?:{_alternation(abbr)})\.|"
            rf"(?:{_alternation(words)})(?![\w.]))"
        )
        weekday_md = (
            rf"(?P<weekday>(?:{names})|(?:{_anycase(abbr)})\.|(?:{_alternation(abbr)})(?![\w.]))"
        )
        day_word = rf"(?P<dayw>{ORDINAL})(?![-\w])"
        day = rf"(?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])|(?i:{day_word}))"
        year = r"(?P<year>\d{4})(?![\d-])"
        vague = alternation(self.vague, r"\s+")
        number = (
            rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?i:half\s+an?|an?\s+half|"
            rf"(?:an?\s+)?(?:dozen|couple(?:\s+of)?)|{CARDINAL}|an?|{vague}))"
        )
        unit = rf"(?P<unit>{_alternation(self.units)})"
        adjective = rf"(?:[-\s]+(?:{_alternation(self.adjectives)}))?"
        short_months = _alternation(w for w in self.months if len(w) == 3)
        context = r"(?<![\w$€£#.,/-])(?i:(?<=\bon\s)|(?<=\bby\s)|(?<=\buntil\s)|(?<=\bsince\s)|"
        context += r"(?<=\bfrom\s)|(?<=\bbefore\s)|(?<=\bafter\s)|(?<=\bdated\s)|(?<=\bthrough\s))"
        extra = _alternation(k for k in self.ordinals if k not in ORDINALS)
        ordinals = f"{ORDINAL}|{extra}" if extra else ORDINAL
        ordinal = rf"(?P<ord>{ordinals}|[1-4](?:st|nd|rd|th))"
        short_year = r"(?P<year>\d{4}|['’]?\d{2})(?![\d-])"
        which = r"(?P<which>last|next|this|coming|past|previous|current|following)"
        of_year = (
            rf"(?:\s+(?:of\s+)?(?:(?P<fy4>fiscal)\s+)?(?:(?:FY\s?)?{short_year}|"
            rf"(?P<rel>this|next|last|the|the current|the previous)\s+(?:fiscal\s+)?year))?"
        )
        season = rf"(?P<season>{_alternation(self.seasons)})"
        zone = rf"(?:\s*\(?(?P<tz>{_alternation(self.zones)})\)?(?!\w))?"
        part = rf"(?P<part>{_alternation(self.parts)})"
        b, e = r"(?<![\w$€£#.,/-])", r"(?![\w])"
        rules = [
            (
                rf"{b}(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})"
                rf"(?:T(?P<hour>\d{{2}}):(?P<minute>\d{{2}})(?::\d{{2}})?)?(?![\w/-])",
                self._iso,
            ),
            (
                rf"{b}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<year>\d{{4}}|\d{{2}})(?![\w/]|\.\d)",
                self._slashed,
            ),
            (
                rf"{b}(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})\.(?P<year>\d{{4}})(?![\w.]|\.\d)",
                self._dotted,
            ),
            (
                rf"{b}(?P<a>\d{{1,2}})-(?P<b>\d{{1,2}})-(?P<year>\d{{4}})(?![\w-]|\.\d)",
                self._slashed,
            ),
            (
                rf"{b}(?P<day>\d{{1,2}})-(?P<mon>(?i:{short_months}))-(?P<year>\d{{4}}|\d{{2}})"
                r"(?![\w-])",
                self._day_mon_year,
            ),
            (
                rf"{b}(?P<mon>0?[1-9]|1[0-2])/(?P<year>(?:1[89]|2[01])\d\d)(?![\w/]|\.\d)",
                self._month_year,
            ),
            (
                rf"(?:{context}|{b}(?=\d{{1,2}}/\d{{1,2}}\s+at\s+\d))"
                rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?![\w/]|\.\d|\s+(?:of|majority)\b)",
                self._slashed,
            ),
            (rf"\b(?:{weekday_md},?\s+)?{month}\s*{day}(?:,?\s+{year})?", self._month_day),
            (
                rf"\b(?:{weekday_md},?\s+)?(?i:the\s+)?{day}(?:\s+of)?\s+{month}(?:,?\s+{year})?",
                self._month_day,
            ),
            (rf"\b{month},?\s+(?:of\s+)?{year}", self._month_day),
            (rf"\b{month}(?!\s*\d)", self._bare_month),
            (
                rf"\b{month}\s*(?P<day>[0-3]?\d)\s*[-–]\s*(?P<day2>[0-3]?\d)(?!\d)(?:,?\s+{year})?",
                self._day_range,
            ),
            (
                rf"(?:(?<=mid-)|{b})(?P<year>\d{{4}})(?:['’]s)?(?![\w%]|[-/.,]\d|\s*(?:%|percent))",
                self._year,
            ),
            (
                rf"{b}(?P<year>\d{{4}})\s*[-–]\s*(?P<year2>\d{{4}}|\d{{2}})(?![\w-])",
                self._year_range,
            ),
            (
                r"(?:\b|(?=['’]))(?i:(?:the\s+)?(?:(?P<pos>early|mid|late)[-\s]?)?)"
                r"(?:(?<![\w$])(?P<d3>\d{3})0s|['’](?P<d1>\d)0s)(?!\w)",
                self._decade,
            ),
            (
                rf"(?i:\b(?:the\s+)?(?P<ord>{ordinals}|\d{{1,2}}(?:st|nd|rd|th))"
                r"[-\s]century)",
                self._century,
            ),
            (
                rf"\b(?:(?P<fy>fiscal\s+|F)?Q(?P<q>[1-4])|(?P<q2>[1-4])Q)(?:\s*|-|\s+of\s+)"
                rf"(?:(?P<fy2>FY|fiscal)\s*)?{short_year}?{e}",
                self._quarter,
            ),
            (
                rf"(?i:\b(?:the\s+)?(?:(?P<fy>fiscal)\s+)?{ordinal}[-\s]+(?:(?P<fy3>fiscal)[-\s]+)?"
                rf"(?P<unit>quarter|half)){of_year}{e}",
                self._ordinal_period,
            ),
            (
                rf"\b(?:H(?P<h>[12])|(?P<h2>[12])H)(?:\s*|-)(?:(?P<fy2>FY)\s*)?{short_year}?{e}",
                self._half,
            ),
            (rf"\b(?:FY\s?|(?i:fiscal\s+(?:year\s+)?)){short_year}", self._fiscal_year),
            (
                rf"(?i:\b{which}\s+(?P<unit>week|weekend|month|quarter|year|decade|century)){e}",
                self._relative,
            ),
            (rf"(?i:\b{which}\s+)(?:{weekday}|{month}|(?i:{season})){e}", self._which_point),
            (
                r"(?i:\b(?:earlier|later)\s+(?P<which>this|next|last)\s+(?P<unit>week|month|quarter"
                rf"|year|decade)){e}",
                self._relative,
            ),
            (
                rf"(?i:\bthe\s+(?P<which>previous|prior|following|current)\s+(?P<unit>week|month|"
                rf"quarter|year|decade)){e}",
                self._relative,
            ),
            (rf"(?i:\bthe\s+(?P<unit>year|month|week|quarter|decade|century)){e}", self._weak),
            (rf"(?i:{b}(?P<num>{number})\s+{unit}\s+(?P<dir>ago|earlier|from now)){e}", self._ago),
            (
                rf"(?i:{b}(?P<num>{number})\s+){weekday}s?(?i:\s+(?P<dir>ago|from now|later|hence))"
                rf"{e}",
                self._nth_weekday,
            ),
            (rf"(?i:(?<=\bin\s)(?P<num>{number}){adjective}\s+{unit}){e}", self._in),
            (
                rf"(?i:\bthe\s+(?P<dir>past|last|previous|next|coming|following)\s+"
                rf"(?:(?P<num>{number})\s+)?{unit}){e}",
                self._anchored,
            ),
            (rf"(?i:\b(?P<dir>recent|coming|upcoming)\s+{unit}){e}", self._anchored),
            (rf"(?i:\b{unit}\s+(?P<dir>to come|ahead)){e}", self._anchored),
            (
                rf"(?i:{b}(?P<num>{number})(?P<half>\s+and\s+a\s+half)?{adjective}[-\s]+{unit}"
                rf"(?P<half2>\s+and\s+a\s+half)?){e}",
                self._duration,
            ),
            (
                rf"(?i:\b(?:half\s+an?\s+|an?\s+half[-\s]|(?P<frac>an?\s+quarter|three\s+quarters"
                rf")\s+of\s+an?\s+){unit}){e}",
                self._half_unit,
            ),
            (
                rf"(?i:(?:(?<=\bfor\s)|(?<=\bin\s)|(?<=\bwithin\s)|(?<=\bafter\s))"
                rf"(?P<unit>years|decades|months|weeks|days|hours)){e}",
                self._bare_units,
            ),
            (
                rf"(?i:\b(?P<q>every|each)\s+(?P<other>other\s+)?(?:(?P<num>{number})\s+)?{unit}){e}",
                self._every_unit,
            ),
            (rf"(?i:\b(?P<q>every|each)\s+){weekday}{e}", self._every_weekday),
            (rf"(?i:\b(?P<q>every|each)\s+{part}){e}", self._every_part),
            (rf"\b{weekday}s{e}", self._every_weekday),
            (
                rf"(?i:\b(?P<times>once|twice|thrice|(?:{number})\s+times)\s+(?:a|an|per|every|each)"
                rf"\s+{unit}){e}",
                self._times_per,
            ),
            (rf"\b(?P<freq>{_alternation(self.frequencies)}){e}", self._frequency),
            (
                rf"(?<![\w:.$])(?P<hour>\d{{1,2}})(?::(?P<minute>[0-5]\d))?\s*"
                rf"(?P<ampm>(?i:a\.m\.?|p\.m\.?|am|pm)){e}{zone}",
                self._clock,
            ),
            (
                rf"(?<![\w:.$])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d)?"
                rf"(?![\w:]|\.\d){zone}",
                self._clock24,
            ),
            (rf"(?<![\w:.$])(?P<hour>[01]?\d|2[0-3])h(?P<minute>[0-5]\d){e}{zone}", self._clock_h),
            (rf"(?i:\b(?P<word>noon|midday|midnight)){e}{zone}", self._clock_word),
            (rf"(?<![\w:.$])(?P<hour>\d{{1,2}})\s+o['’]clock{e}{zone}", self._clock),
            (rf"(?i:\b(?P<which>this|tomorrow|yesterday|today|last)\s+{part}){e}", self._part),
            (rf"(?i:\btonight){e}", self._part),
            (rf"(?i:\b{part}){e}", self._part),
            (
                rf"\b(?:(?P<y1>\d{{4}})\s+)?(?P<holiday>(?i:{holidays}))(?!\w)"
                rf"(?:,?\s+{year})?",
                self._holiday,
            ),
            (rf"(?i:\b(?P<ref>{_alternation(self.references)})){e}", self._reference),
            (rf"(?i:\b(?P<rel>{_alternation(self.relative_days)})){e}", self._relative_day),
            (rf"\b{weekday}{e}", self._weekday),
            (
                rf"(?i:\b(?:(?P<the>the)\s+(?=\w+\s+of\s))?{season}(?:\s+of)?)\s+{year}{e}",
                self._season,
            ),
            (rf"(?i:\b(?:(?P<the>the)\s+)?{season}){e}", self._season),
            (rf"(?i:\bthe\s+week\s+of\s+){month}\s*{day}(?:,?\s+{year})?", self._week_of),
            (
                rf"(?i:\b(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|last|final|1st|2nd|"
                rf"3rd|4th|5th)\s+){weekday}(?i:\s+(?:of|in)\s+){month}(?:,?\s+{year})?{e}",
                self._nth_weekday_of,
            ),
        ]
        last_words = {k.rsplit(" ", 1)[-1] for k in self.holiday_keys}
        relative = r"(?i:\b(?:last|next|this|coming|past|previous|current|following|prior)\b)"
        every = r"(?i:\b(?:every|each)\b)"
        # A rule runs only on a text where its trigger (a word every match of it contains) is.
        # Where the rule has that word start a word, so does the trigger: ScanSet then sees
        # where it can be and does not try the rule in a text without it.
        triggers = {
            "_iso": r"\d{4}-\d\d-\d\d",
            "_slashed": r"\d[/.-]\d",
            "_dotted": r"\d\.\d",
            "_day_mon_year": r"\d-[A-Za-z]",
            "_month_year": r"\d/\d{4}",
            "_day_range": r"\d\s*[-–]\s*\d",
            "_year_range": r"\d{4}\s*[-–]\s*\d",
            "_decade": r"\b\d(?:\d\d)?0s",
            "_century": r"(?i:\bcentur)",
            "_quarter": r"Q[1-4]|[1-4]Q",
            "_half": r"H[12]|[12]H",
            "_fiscal_year": r"FY|(?i:fiscal)",
            "_ordinal_period": r"(?i:\b(?:quarter|half))",
            "_relative": relative,
            "_which_point": relative,
            "_ago": r"(?i:\b(?:ago\b|earlier|from now))",
            "_nth_weekday": r"(?i:\b(?:ago\b|from now|later|hence))",
            "_anchored": r"(?i:\b(?:past|last|previous|next|coming|upcoming|following|recent"
            r"|to come|ahead))",
            "_half_unit": r"(?i:\b(?:quarter|half))",
            "_every_unit": every,
            "_every_part": every,
            "_times_per": r"(?i:\b(?:once|twice|thrice|times)\b)",
            "_clock_h": r"\dh\d",
            "_clock_word": r"(?i:\b(?:noon|midday|midnight))",
            "_holiday": rf"(?i:\b(?:{_alternation(last_words)})\b)",
            "_season": rf"(?i:{_word_start(self.seasons)})",
            "_week_of": r"(?i:\bweek\s+of)",
            "_nth_weekday_of": r"(?i:\b(?:first|second|third|fourth|fifth|last|final|[1-5]"
            r"(?:st|nd|rd|th))\s)",
        }
        compiled = {pattern: re.compile(pattern) for pattern in set(triggers.values())}
        return [
            (Scanner(re.compile(p), needs=trigger), h, trigger)
            for p, h in rules
            for trigger in [compiled.get(triggers.get(h.__name__, ""))]
        ]

    # ---- scanning ---------------------------------------------------------------------------

    def scan(self, text: str) -> list[Found]:
        """The temporal expressions in ``text``, in order, not overlapping."""
        candidates = []
        present: dict[re.Pattern[str], bool] = {}
        rules = zip(self.rules, self.scans.finditers(text), strict=True)
        for priority, ((_, handler, trigger), matches) in enumerate(rules):
            if trigger is not None and matches:
                # The trigger is searched only once a rule matches: most rules match nothing.
                if trigger not in present:
                    present[trigger] = _contains(trigger, text, matches)
                if not present[trigger]:
                    continue
            for match in matches:
                if match.end() > match.start() and (expr := handler(Match(match), text)):
                    candidates.append((match.start(), match.end(), priority, expr))
        candidates.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
        taken = bytearray(len(text))
        chosen = []
        for start, end, _, expr in candidates:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                chosen.append(Found(start, end, expr))
        chosen.sort(key=lambda f: f.start)
        found = with_times(text, modified(text, combined(text, chosen), self.prefix, self.mods))
        return ranges(text, [f for f in found if not f.expr.weak])


def _contains(trigger: re.Pattern[str], text: str, matches: Iterable[re.Match[str]]) -> bool:
    """Whether ``trigger`` is in ``text``: searched from the first of a rule's listed
    ``matches``, which holds it, so found at once; else (or not listed) in the whole text."""
    first = matches[0].start() if isinstance(matches, list) else 0
    return trigger.search(text, first) is not None or (
        first > 0 and trigger.search(text) is not None
    )
