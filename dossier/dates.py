"""ISO 8601 date values: parse, check against the words they normalise, and place on pages."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

_PART = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
FIRST_YEAR, LAST_YEAR = 1, 9998
"""The years a date may name: Python's calendar has no year 0, and the timeline needs the year
after every date it draws."""
WEEKDAYS = [d.lower() for d in calendar.day_name]
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9


@dataclass(frozen=True)
class Range:
    """The days a date value covers."""

    start: date
    end: date
    precision: str
    """'day', 'month', 'year' or 'interval'."""

    @property
    def page(self) -> str:
        """The smallest calendar unit containing the range (a multi-year range: its first year)."""
        if self.start == self.end:
            return self.start.isoformat()
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.year:04d}"


def _part(text: str) -> tuple[date, date, str]:
    """One calendar value (YYYY, YYYY-MM or YYYY-MM-DD) as first day, last day, precision."""
    m = _PART.fullmatch(text)
    if not m:
        raise ValueError(f"'{text}' is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), m[2], m[3]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"'{text}' is outside the years {FIRST_YEAR:04d} to {LAST_YEAR} that "
                         "pages and the timeline can show")
    if month is None:
        return date(year, 1, 1), date(year, 12, 31), "year"
    mon = int(month)
    if not 1 <= mon <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    if day is None:
        return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1]), "month"
    try:
        d = date(year, mon, int(day))
    except ValueError:
        raise ValueError(f"'{text}' is not a day of the calendar") from None
    return d, d, "day"


def parse(value: str) -> Range:
    """Parse an ISO 8601 value or interval; raise ValueError with a readable reason."""
    if "/" in value:
        first, _, last = value.partition("/")
        start, _, _ = _part(first.strip())
        _, end, _ = _part(last.strip())
        if end < start:
            raise ValueError(f"interval '{value}' ends before it starts")
        return Range(start, end, "interval")
    start, end, precision = _part(value.strip())
    return Range(start, end, precision)


def mismatches(quote: str, rng: Range) -> list[str]:
    """Ways the words of a date expression contradict its value (weekday, month, day, year)."""
    words = re.findall(r"[A-Za-z]+|\d+", quote)
    lower = [w.lower() for w in words]
    problems = []
    if rng.precision == "day":
        for w in lower:
            if w in WEEKDAYS and WEEKDAYS[rng.start.weekday()] != w:
                problems.append(f"'{quote}' says {w.capitalize()} but {rng.start.isoformat()} "
                                f"is a {calendar.day_name[rng.start.weekday()]}")
    if rng.precision in ("day", "month"):
        for i, w in enumerate(lower):
            if w in MONTHS and MONTHS[w] != rng.start.month:
                problems.append(f"'{quote}' names {words[i]} but the value is in "
                                f"{calendar.month_name[rng.start.month]}")
            elif w in MONTHS and rng.precision == "day" and i + 1 < len(words) \
                    and words[i + 1].isdigit() and len(words[i + 1]) <= 2 \
                    and int(words[i + 1]) != rng.start.day:
                problems.append(f"'{quote}' names day {words[i + 1]} but the value is "
                                f"day {rng.start.day}")
    for w in words:
        if len(w) == 4 and w.isdigit() and not rng.start.year <= int(w) <= rng.end.year:
            problems.append(f"'{quote}' names the year {w} but the value is not in it")
    return problems


def label(value: str) -> str:
    """A reader's form of a value: '15 October 2015', 'October 2015', '5–11 October 2015'."""
    rng = parse(value)
    if rng.precision == "interval":
        return f"{_label_part(value.split('/')[0])} – {_label_part(value.split('/')[1])}"
    return _label_part(value)


def _label_part(text: str) -> str:
    start, _, precision = _part(text.strip())
    if precision == "year":
        return f"{start.year}"
    if precision == "month":
        return f"{calendar.month_name[start.month]} {start.year}"
    return f"{start.day} {calendar.month_name[start.month]} {start.year}"


def page_label(page: str) -> str:
    """The title of a date page (a day, month or year)."""
    return _label_part(page)


CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?")
"""When a page was saved (capture.retrieved): a date, or a date and a time of day."""


def real_time(text: str) -> bool:
    """True for a date, or a date and time, of the calendar and the clock (the form the schema
    allows for capture.retrieved): 2024-02-30 and 25:61 are not."""
    if not CLOCK.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------- date pages


def date_units(pages: list[str]) -> list[str]:
    """Every unit with a page: those expressions resolve to, and the months and years above."""
    units = set(pages)
    for unit in pages:
        units.update({unit[:4], unit[:7]} if len(unit) == 10 else {unit[:4]})
    return sorted(units)


def date_tree(units: list[str]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Years, each with its months, each with its days."""
    return [(y, [(m, [d for d in units if len(d) == 10 and d.startswith(m)])
                 for m in units if len(m) == 7 and m.startswith(y)])
            for y in units if len(y) == 4]


def units_within(unit: str, units: list[str]) -> list[str]:
    """Pages of the next smaller units inside this one (a month's days, a year's months)."""
    size = {4: 7, 7: 10}.get(len(unit), 0)
    return [u for u in units if len(u) == size and u.startswith(unit)]


def parent_unit(unit: str) -> str:
    """The page of the enclosing unit ('' for a year)."""
    return {10: unit[:7], 7: unit[:4]}.get(len(unit), "")
