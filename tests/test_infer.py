"""The date picker's proposals (dossier/infer.py): the conventions of docs/annotating.md, the
shipped annotations they must agree with, and properties that hold for any publication date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier import dates
from dossier.build import read_project
from dossier.infer import infer
from dossier.models import Problems
from tests.conftest import REPO

WEDNESDAY = "2015-10-21"  # source 001's (inferred) publication day


@pytest.mark.parametrize(("quote", "value", "approximate"), [
    ("Tuesday", "2015-10-20", False),
    ("on Wednesday", "2015-10-21", False),  # the publication day itself
    ("Thursday", "2015-10-15", False),  # the latest Thursday before
    ("Sunday night", "2015-10-18", False),
    ("yesterday", "2015-10-20", False),
    ("today", "2015-10-21", False),
    ("three days ago", "2015-10-18", False),
    ("two weeks ago", "2015-10-07", True),
    ("last week", "2015-10-12/2015-10-18", False),
    ("this week", "2015-10-19/2015-10-21", False),
    ("last month", "2015-09", False),
    ("earlier this month", "2015-10-01/2015-10-21", True),
    ("last year", "2014", False),
    ("September 30", "2015-09-30", False),
    ("30 September", "2015-09-30", False),
    ("November 2", "2014-11-02", False),  # after publication in 2015, so the year before
    ("in July", "2015-07", False),
    ("December", "2014-12", False),
    ("in recent days", "2015-10-15/2015-10-21", True),
    ("in recent weeks", "2015-10-01/2015-10-21", True),
    ("during the past week", "2015-10-15/2015-10-21", True),
    ("in recent months", "2015-07-21/2015-10-21", True),
    ("until now", "2015-01-01/2015-10-21", True),
    ("in the coming days", "2015-10-22/2015-10-28", True),
    ("since September", "2015-09-01/2015-10-21", True),
    ("since last year", "2014-01-01/2015-10-21", True),
])
def test_relative_expressions_follow_the_conventions(quote, value, approximate):
    guess = infer(quote, WEDNESDAY)
    assert guess is not None, quote
    assert (guess.value, guess.approximate, guess.inferred) == (value, approximate, True)
    assert guess.reasoning


@pytest.mark.parametrize(("quote", "value"), [
    ("March 2011", "2011-03"), ("In 2013", "2013"), ("September 30, 2015", "2015-09-30"),
    ("30 September 2015", "2015-09-30")])
def test_an_expression_with_its_own_year_is_not_inferred(quote, value):
    guess = infer(quote, WEDNESDAY)
    assert guess is not None and (guess.value, guess.inferred) == (value, False)
    assert infer(quote, "") == guess  # no publication date needed


@pytest.mark.parametrize("quote", [
    "a week later", "a day after", "shortly afterwards", "now", "for three days",
    "February 30", "in the months prior to Russia's intervention", ""])
def test_no_proposal_where_the_text_does_not_give_one(quote):
    assert infer(quote, WEDNESDAY) is None


def test_relative_expressions_need_a_publication_day():
    assert infer("Tuesday", "") is None
    assert infer("Tuesday", "2015-10") is None


def test_the_proposals_agree_with_the_shipped_annotations():
    """Every shipped date the picker can work out gets the annotated value; the others are
    relative to an event the text dates elsewhere ("a week later"), which the annotator types."""
    problems = Problems()
    project = read_project(REPO, problems, write_cache=False)
    agreed, unknown = 0, []
    for source in project.sources:
        for d in source.dates:
            guess = infer(d.quote, source.meta.published.date)
            if guess is None:
                unknown.append(d.quote)
                continue
            assert (guess.value, guess.approximate) == (d.value, d.approximate), (
                source.id, d.quote)
            agreed += 1
    assert agreed >= 40
    assert sorted(unknown) == ["a day after", "a week later",
                               "in the months prior to Russia's intervention"]


PUBLISHED = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@given(PUBLISHED, st.sampled_from(dates.WEEKDAYS))
def test_a_weekday_is_the_latest_such_day_up_to_publication(pub, weekday):
    guess = infer(weekday.capitalize(), pub.isoformat())
    assert guess is not None
    day = date.fromisoformat(guess.value)
    assert dates.WEEKDAYS[day.weekday()] == weekday
    assert pub - timedelta(days=6) <= day <= pub


QUOTES = ["Tuesday", "yesterday", "last week", "this week", "last month", "earlier this month",
          "last year", "September 30", "30 September", "in July", "in recent days",
          "in recent weeks", "in recent months", "until now", "two weeks ago", "since September",
          "February 29"]


@given(PUBLISHED, st.sampled_from(QUOTES))
def test_every_proposal_is_a_value_the_build_accepts_and_not_after_publication(pub, quote):
    guess = infer(quote, pub.isoformat())
    if guess is None:  # "since September" in August, "February 29" in most years
        return
    span = dates.parse(guess.value)
    assert dates.mismatches(quote, span) == []
    # a period may hold the publication day ("in July" on 1 July, "this week"), never start after it
    assert span.start <= pub
    if span.precision == "day":
        assert span.end <= pub
    assert span.start <= span.end
