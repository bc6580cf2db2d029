"""The value a date expression most likely has, worked out from the publication date: what
the preview's date picker proposes, for the annotator to confirm or edit.

    infer("last week", "2015-10-14") -> Inference("2015-10-05/2015-10-11", "Publication is …",
                                                  inferred=True)

The conventions are those of the shipped annotations (see docs/annotating.md, "Dates"): a
weekday is the latest such day on or before publication; "last week" is the Monday-to-Sunday
week before the publication's; a day and month without a year are in the publication's year,
or the year before when that would lie after publication; vague spans ("in recent days") end
at publication and are approximate. An expression that names its own year is not inferred.
None when no value can be worked out (then the annotator types one).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import FIRST_YEAR, LAST_YEAR, MONTHS, WEEKDAYS

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10}
VAGUE = {"recent days": 7, "the past few days": 7, "the last few days": 7, "the past week": 7,
         "the last week": 7, "recent weeks": 21, "the past few weeks": 21, "the past weeks": 21,
         "past weeks": 21, "the last few weeks": 21, "recently": 21}
"""Vague spans ending at publication, and how many days they are taken to cover (the table
of docs/annotating.md, "Vague intervals")."""
_LEAD = re.compile(r"^(?:on|in|since|by|the|early|late|earlier|later)\s+", re.I)
_TAIL = re.compile(r"\s+(?:morning|afternoon|evening|night)$", re.I)


@dataclass(frozen=True)
class Inference:
    value: str
    reasoning: str
    inferred: bool
    approximate: bool = False


def _day(d: date) -> str:
    return f"{calendar.day_name[d.weekday()]} {d.day} {calendar.month_name[d.month]} {d.year}"


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _months_before(d: date, n: int) -> date:
    """The same day n calendar months earlier (the month's last day when it is shorter)."""
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def infer(quote: str, published: str) -> Inference | None:
    """The proposed value of the date expression `quote` in a source published `published`
    (YYYY-MM-DD; a shorter or empty value resolves absolute expressions only)."""
    words = " ".join(quote.lower().replace(",", " ").replace(".", " ").split())
    absolute = _absolute(words)
    if absolute is not None:
        return absolute
    try:
        pub = date.fromisoformat(published)
    except (TypeError, ValueError):
        return None
    vague = VAGUE.get(re.sub(r"^(?:in|during|over) ", "", words))
    if vague:
        first = pub - timedelta(days=vague - 1)
        return Inference(f"{first.isoformat()}/{pub.isoformat()}",
                         f"A vague span ending at publication ({_day(pub)}), taken as the "
                         f"{vague} days up to it.", True, True)
    if words == "in the coming days":
        last = pub + timedelta(days=7)
        return Inference(f"{(pub + timedelta(days=1)).isoformat()}/{last.isoformat()}",
                         f"The 7 days after publication on {_day(pub)} (project convention).",
                         True, True)
    if words == "in recent months":
        first = _months_before(pub, 3)
        return Inference(f"{first.isoformat()}/{pub.isoformat()}",
                         f"The 3 calendar months up to publication on {_day(pub)} (project "
                         "convention).", True, True)
    if words == "until now":
        first = pub.replace(month=1, day=1)
        return Inference(f"{first.isoformat()}/{pub.isoformat()}",
                         f"From the start of the publication's year to publication on "
                         f"{_day(pub)} (project convention; start instead at the earliest date "
                         "the sentence gives, if it gives one).", True, True)
    if words.startswith("since "):
        return _since(words, pub)
    core = _TAIL.sub("", _LEAD.sub("", words))
    for guess in (_relative_day(core, words, pub), _relative_span(core, words, pub),
                  _day_month(core, pub), _month_only(core, words, pub)):
        if guess is not None:
            return guess
    return None


def _absolute(words: str) -> Inference | None:
    """'March 2011', 'In 2013', 'September 30 2015', '30 September 2015', '2015'."""
    core = _LEAD.sub("", words)
    parts = core.split()
    years = [int(p) for p in parts if re.fullmatch(r"\d{4}", p)]
    if len(years) != 1 or not FIRST_YEAR <= years[0] <= LAST_YEAR:
        return None
    year = years[0]
    rest = [p for p in parts if p != str(year)]
    months = [MONTHS[p] for p in rest if p in MONTHS]
    days = [int(p) for p in rest if re.fullmatch(r"\d{1,2}", p)]
    if not rest:
        return Inference(str(year), "Absolute year in the text.", False)
    if len(months) == 1 and len(rest) == 1:
        return Inference(_month(year, months[0]), "Absolute month and year in the text.", False)
    if len(months) == 1 and len(days) == 1 and len(rest) == 2:
        try:
            d = date(year, months[0], days[0])
        except ValueError:
            return None
        return Inference(d.isoformat(), "Absolute date in the text.", False)
    return None


def _relative_day(core: str, words: str, pub: date) -> Inference | None:
    """A weekday, today, yesterday, 'three days ago', 'two weeks ago'."""
    if core in WEEKDAYS:
        back = (pub.weekday() - WEEKDAYS.index(core)) % 7
        d = pub - timedelta(days=back)
        if back == 0:
            return Inference(d.isoformat(), f"Publication day, {_day(pub)}.", True)
        return Inference(d.isoformat(), f"The {core.capitalize()} before publication on "
                         f"{_day(pub)} is {d.day} {calendar.month_name[d.month]} {d.year}.",
                         True)
    if core in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return Inference(pub.isoformat(), f"Publication day, {_day(pub)} (\"{words}\").", True)
    if core in ("yesterday", "last night"):
        d = pub - timedelta(days=1)
        return Inference(d.isoformat(), f"The day before publication on {_day(pub)}.", True)
    found = re.fullmatch(r"(\w+) (day|days|week|weeks) ago", core)
    if found and (found[1] in NUMBERS or found[1].isdigit()):
        n = NUMBERS.get(found[1]) or int(found[1])
        weeks = found[2].startswith("week")
        d = pub - timedelta(days=n * (7 if weeks else 1))
        return Inference(d.isoformat(), f"\"{words}\" counted back from publication on "
                         f"{_day(pub)}.", True, weeks)
    return None


def _since(words: str, pub: date) -> Inference | None:
    """'since September', 'since last year', 'since 2013': from the start of that unit to
    publication, approximate."""
    unit = infer(words[len("since "):], pub.isoformat())
    if unit is None:
        return None
    first = unit.value.split("/")[0]
    start = date.fromisoformat(first if len(first) == 10 else
                               first + "-01" if len(first) == 7 else first + "-01-01")
    if start > pub:
        return None
    return Inference(f"{start.isoformat()}/{pub.isoformat()}",
                     f"'{words}' runs from {start.day} {calendar.month_name[start.month]} "
                     f"{start.year} to publication, {_day(pub)} (project convention).",
                     unit.inferred, True)


def _relative_span(core: str, words: str, pub: date) -> Inference | None:
    """last/this week, month, year; earlier this month."""
    monday = pub - timedelta(days=pub.weekday())
    week = f"Publication is {_day(pub)} (week of Monday {monday.day} " \
           f"{calendar.month_name[monday.month]})"
    if words == "last week":
        first, last = monday - timedelta(days=7), monday - timedelta(days=1)
        return Inference(f"{first.isoformat()}/{last.isoformat()}",
                         f"{week}; the week before runs Monday {first.day} "
                         f"{calendar.month_name[first.month]} to Sunday {last.day} "
                         f"{calendar.month_name[last.month]} {last.year}.", True)
    if words == "this week":
        return Inference(f"{monday.isoformat()}/{pub.isoformat()}",
                         f"{week}; the week up to publication.", True)
    if words in ("last month", "this month"):
        y, m = (pub.year, pub.month) if words == "this month" else \
            (pub.year - (pub.month == 1), (pub.month - 2) % 12 + 1)
        return Inference(_month(y, m), f"\"{words}\" from publication on {_day(pub)}.", True)
    if words == "earlier this month":
        first = pub.replace(day=1)
        return Inference(f"{first.isoformat()}/{pub.isoformat()}",
                         f"From the first of the month to publication on {_day(pub)} (project "
                         "convention).", True, True)
    if words in ("last year", "this year"):
        year = pub.year - (words == "last year")
        return Inference(str(year), f"\"{words}\" from publication in {pub.year}.", True)
    return None


def _day_month(core: str, pub: date) -> Inference | None:
    """'September 30', '30 September', 'Sept 30': the publication's year, or the one before."""
    parts = core.split()
    if len(parts) != 2:
        return None
    a, b = parts
    month, day = (MONTHS.get(a), b) if a in MONTHS else (MONTHS.get(b), a)
    if month is None or not re.fullmatch(r"\d{1,2}", day):
        return None
    try:
        d = date(pub.year, month, int(day))
        if d > pub:
            d = date(pub.year - 1, month, int(day))
    except ValueError:
        return None
    year_note = "the year of publication" if d.year == pub.year else \
        "the year before publication, since in the year of publication it would come after it"
    return Inference(d.isoformat(), f"Day and month in the text; the year is {year_note} "
                     f"({_day(pub)}).", True)


def _month_only(core: str, words: str, pub: date) -> Inference | None:
    """'July', 'in July': that month of the publication's year, or of the year before."""
    if core not in MONTHS:
        return None
    month = MONTHS[core]
    year = pub.year if month <= pub.month else pub.year - 1
    return Inference(_month(year, month), f"A month without a year; the latest {core.capitalize()}"
                     f" up to publication ({_day(pub)}).", True)
