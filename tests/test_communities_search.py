"""
Search over a course's posts and the similar questions suggested while a learner types: only what the searcher may
read, every word required, queries full of operators never reaching the full-text parser as operators, stop words
(English and French) ignored for suggestions, and a fixed number of queries.

These run on SQLite (``icontains``); the MATCH ... AGAINST path is the same code with the FULLTEXT lookup, and its
query text is checked here word by word (the sanitiser is what stands between a user and the boolean parser).
"""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_django_utils.cache import RequestCache

from mentora_plugin.communities import api, listing
from mentora_plugin.communities.models import Forum, Group, GroupMembership
from tests import test_communities_listing as shared
from tests.conftest import COURSE, OTHER_COURSE
from tests.test_communities_listing import forum, make_reply, make_thread, space

# InnoDB's FULLTEXT indexes see committed rows only: on MariaDB each test must commit what it searches.
pytestmark = pytest.mark.django_db(transaction=True)

cast = shared.cast  # the fixture: learners ann and bob, trainer tina, staff sam; olga elsewhere


def found(results) -> list[str]:
    return [hit.thread.title for hit in results.hits]


def test_a_word_in_a_reply_finds_its_thread_with_an_excerpt(cast):
    thread = make_thread(forum(), cast["bob"], "Loops", "How do loops work?")
    reply = make_reply(thread, cast["tina"], "A generator yields its values one at a time, lazily, unlike a list.")
    make_thread(forum(title="Other"), cast["bob"], "Unrelated", "Nothing about that here.")

    results = api.search(cast["ann"], COURSE, "Generator")

    assert found(results) == ["Loops"] and results.page == 1 and not results.has_next
    hit = results.hits[0]
    assert hit.post_id == reply.pk and "generator yields" in hit.excerpt.lower()
    assert hit.thread.author.username == "bob" and hit.thread.reply_count == 1


def test_every_word_is_required(cast):
    make_thread(forum(), cast["bob"], "Pandas dataframes", "Merging two dataframes in pandas.")
    make_thread(forum(title="Numpy"), cast["bob"], "Numpy arrays", "Slicing arrays in numpy.")
    assert found(api.search(cast["ann"], COURSE, "pandas merging")) == ["Pandas dataframes"]
    assert found(api.search(cast["ann"], COURSE, "pandas slicing")) == []


def test_only_what_the_searcher_may_read(cast, make_user):
    python, qa = forum(), forum(Forum.Kind.QA)
    make_thread(python, cast["bob"], "Visible kraken", "kraken")
    make_thread(python, cast["bob"], "Hidden kraken", "kraken", hidden=True)
    make_thread(python, cast["bob"], "Deleted kraken", "kraken", deleted=True)
    shown = make_thread(python, cast["bob"], "Fine thread", "nothing here")
    make_reply(shown, cast["bob"], "a hidden kraken reply", hidden=True)
    make_thread(qa, cast["bob"], "Bob's private kraken", "kraken", private=True)
    make_thread(qa, cast["ann"], "Ann's private kraken", "kraken", private=True)
    board = forum(Forum.Kind.GROUP, title="Board")
    group = Group.objects.create(space=space(), name="Team", board=board)
    GroupMembership.objects.create(group=group, user=cast["bob"])
    make_thread(board, cast["bob"], "Team kraken", "kraken")
    make_thread(forum(title="Elsewhere", course=OTHER_COURSE), cast["olga"], "Other course kraken", "kraken")

    assert set(found(api.search(cast["ann"], COURSE, "kraken"))) == {"Visible kraken", "Ann's private kraken"}
    assert set(found(api.search(cast["bob"], COURSE, "kraken"))) == {
        "Visible kraken", "Bob's private kraken", "Team kraken"}
    moderator = set(found(api.search(cast["sam"], COURSE, "kraken")))
    assert {"Hidden kraken", "Deleted kraken", "Fine thread", "Bob's private kraken", "Team kraken"} <= moderator
    assert "Other course kraken" not in moderator
    with pytest.raises(api.CommunitiesError) as error:
        api.search(cast["olga"], COURSE, "kraken")
    assert (error.value.status, error.value.code) == (403, "not_enrolled")


@pytest.mark.parametrize("query", [
    '"python" (loops) @bob -java *', "+python* -(loops", "'; DROP TABLE x; --", "~python <loops >x", "@@",
    '"unterminated', "python*** ((( )))", "ünïcödé «quotes» — dashes", "a" * 300,
])
def test_queries_full_of_operators_never_fail(cast, query):
    make_thread(forum(), cast["bob"], "Python loops", "python loops java bob")
    results = api.search(cast["ann"], COURSE, query)
    assert isinstance(results, listing.SearchResults)
    terms = listing._boolean_query(listing.words_of(query), required=True)
    assert terms == "" or re.fullmatch(r"\+\w+\*( \+\w+\*)*", terms), terms
    assert not set(terms) & set("\"()<>~@-'") and len(terms.split()) <= listing.MAX_QUERY_WORDS


def test_operators_are_separators_so_the_words_still_match(cast):
    make_thread(forum(), cast["bob"], "Python loops", "python loops")
    assert found(api.search(cast["ann"], COURSE, '"python" (loops) -@*')) == ["Python loops"]


def test_boolean_queries_leave_out_what_innodb_does_not_index():
    assert listing._boolean_query(listing.words_of("How is the GIL in Python?"), required=True) == "+gil* +python*"
    assert listing._boolean_query(listing.words_of("l'algèbre linéaire"), required=False) == "algèbre* linéaire*"


@pytest.mark.parametrize("query", ["", " ", "x", " y "])
def test_queries_under_two_characters_are_400(cast, query):
    with pytest.raises(api.CommunitiesError) as error:
        api.search(cast["ann"], COURSE, query)
    assert (error.value.status, error.value.code, error.value.field) == (400, "query_too_short", "query")


def test_results_come_in_pages(cast):
    python = forum()
    for index in range(25):
        make_thread(python, cast["bob"], f"Recursion {index}", "recursion", minutes_ago=index)
    first = api.search(cast["ann"], COURSE, "recursion", page_size=10)
    third = api.search(cast["ann"], COURSE, "recursion", page=3, page_size=10)
    assert len(first.hits) == 10 and first.has_next and len(third.hits) == 5 and not third.has_next
    assert found(first)[0] == "Recursion 0"  # equally relevant: the most recently active first


def _search_queries(user, query) -> int:
    RequestCache.clear_all_namespaces()
    with CaptureQueriesContext(connection) as queries:
        api.search(user, COURSE, query)
    return len(queries)


def test_search_costs_the_same_queries_for_few_and_many_hits(cast):
    python = forum()
    authors = [cast["ann"], cast["bob"], cast["tina"], cast["sam"]]
    for index in range(3):
        make_thread(python, authors[index], f"Rare {index}", "rare word")
    for index in range(40):
        thread = make_thread(python, authors[index % 4], f"Common {index}", "common word")
        make_reply(thread, authors[(index + 1) % 4], "common again")
    assert _search_queries(cast["ann"], "rare") == _search_queries(cast["ann"], "common")


# --- similar questions ------------------------------------------------------------------------------------------------


def test_similar_questions_rank_by_shared_significant_words(cast):
    qa = forum(Forum.Kind.QA)
    make_thread(qa, cast["bob"], "Recursion depth limit exceeded", minutes_ago=30)
    make_thread(qa, cast["bob"], "Recursion in Python", minutes_ago=20)
    make_thread(qa, cast["bob"], "Installing Python on Windows", minutes_ago=10)
    make_thread(forum(), cast["bob"], "Recursion depth limit in Python", minutes_ago=1)  # not a question

    similar = api.similar_questions(cast["ann"], COURSE, "How do I raise the recursion depth limit in Python?")

    assert [q.title for q in similar] == [
        "Recursion depth limit exceeded", "Recursion in Python", "Installing Python on Windows"]
    assert similar[0].state == "open" and similar[0].forum_id == qa.pk


def test_stop_words_suggest_nothing_in_english_or_french(cast):
    qa = forum(Forum.Kind.QA)
    make_thread(qa, cast["bob"], "How do I do this?")
    make_thread(qa, cast["bob"], "Comment faire pour que ça marche avec les boucles ?")
    assert api.similar_questions(cast["ann"], COURSE, "How can I do that, please?") == []
    assert api.similar_questions(cast["ann"], COURSE, "Comment est-ce que je peux faire ça ?") == []
    assert [q.title for q in api.similar_questions(cast["ann"], COURSE, "Pourquoi mes boucles ?")] == [
        "Comment faire pour que ça marche avec les boucles ?"]


def test_similar_questions_only_what_the_learner_may_read_and_never_hidden(cast):
    qa = forum(Forum.Kind.QA)
    make_thread(qa, cast["bob"], "Matrix inverse (private)", private=True)
    make_thread(qa, cast["bob"], "Matrix inverse (hidden)", hidden=True)
    make_thread(qa, cast["bob"], "Matrix inverse (deleted)", deleted=True)
    make_thread(qa, cast["bob"], "Matrix inverse")
    assert [q.title for q in api.similar_questions(cast["ann"], COURSE, "matrix inverse")] == ["Matrix inverse"]
    assert {q.title for q in api.similar_questions(cast["tina"], COURSE, "matrix inverse")} == {
        "Matrix inverse", "Matrix inverse (private)"}


def test_similar_questions_keep_to_the_limit(cast):
    qa = forum(Forum.Kind.QA)
    for index in range(8):
        make_thread(qa, cast["bob"], f"Sorting lists {index}", minutes_ago=index)
    assert len(api.similar_questions(cast["ann"], COURSE, "sorting", limit=3)) == 3
    assert len(api.similar_questions(cast["ann"], COURSE, "sorting")) == 5


def test_significant_words_drop_english_and_french_stop_words():
    assert listing.significant_words("What is the best way to learn Python?") == ["best", "learn", "python"]
    assert listing.significant_words("Pourquoi est-ce que mon code ne marche pas ?") == ["code", "marche"]
