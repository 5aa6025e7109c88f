"""One normaliser before every rule: word lists, repeat posts, blank bodies (issue 14.4)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service import db
from service.comments.models import Comment
from service.policy import Outcome, Policy, decide, matched_words
from service.text import _ascii_prototypes, _skeleton, is_blank, skeleton

BANNED = Policy.from_overrides({"banned_words": ["buy cheap watches"]})
VARIANTS = [
    "buy che\u200bap watches",  # zero-width space
    "buy che\u00adap watches",  # soft hyphen
    "buy che\u2060ap watches",  # word joiner
    "buy cheap watch\u0435s",  # Cyrillic small ie
    "\uff42\uff55\uff59 \uff43\uff48\uff45\uff41\uff50 \uff57\uff41\uff54\uff43\uff48\uff45\uff53",
    "b\u0338uy che\u0301ap watches",  # combining marks
    "BUY  CHEAP\tWATCHES",
]


@pytest.mark.parametrize("text", VARIANTS)
def test_a_banned_phrase_is_found_however_it_is_written(text):
    assert skeleton(text) == "buy cheap watches"
    assert matched_words(f"Hey, {text}!", BANNED.banned_words) == ("buy cheap watches",)
    assert decide({"toxicity": 0.0}, BANNED, text=text).outcome == Outcome.REJECTED


def test_word_lists_drop_variants_of_the_same_word():
    policy = Policy.from_overrides({"banned_words": ["casino", "cas\u200bino", "CASINO"]})
    assert policy.banned_words == ("casino",)


@pytest.mark.parametrize("text", ["\u3164", "\u2800\u2800", "\u115f\u1160", " \u200b\u2060 ",
                                  "\ufeff\u3164 \u2800"])
def test_filler_characters_are_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u3164a", "\u0661", "\U0001f600"])
def test_visible_text_is_not_blank(text):
    assert not is_blank(text)


@pytest.mark.parametrize("body", ["\u3164", "\u2800\u2800\u2800", "\u115f", "\u3164 \u2800"])
def test_bodies_of_filler_characters_are_refused_like_blank_ones(app, client, body):
    response = client.post("/api/v1/threads/t1/comments", json={"author": "Ana", "body": body})
    assert response.status_code == 422
    assert "visible characters" in response.json["fields"]["body"]


@pytest.mark.parametrize("variant", VARIANTS[:6])
def test_the_repeat_check_sees_through_variants(app, client, variant):
    url = "/api/v1/threads/t1/comments"
    assert client.post(url, json={"author": "Ana", "body": "buy cheap watches"}).status_code == 202
    again = client.post(url, json={"author": "\u0410na", "body": variant})  # Cyrillic A
    assert again.status_code == 409, variant


def test_author_names_lose_bidi_overrides_and_texts_are_shown_isolated(app, client):
    response = client.post("/api/v1/threads/t1/comments",
                           json={"author": "\u202enimda", "body": "Hello there"})
    assert response.status_code == 202
    with app.app_context():
        stored = db.session().get(Comment, uuid.UUID(response.json["id"]))
        assert stored.author == "nimda"
    css = client.get("/dashboard/static/dashboard.css").text
    isolated = next(line for line in css.splitlines() if "unicode-bidi: isolate" in line)
    assert ".author" in isolated and ".body" in isolated and ".parent b" in isolated
    widget = client.get("/widget.js").text
    assert ".author{font-weight:600;overflow-wrap:anywhere;unicode-bidi:isolate}" in widget
    assert "unicode-bidi:isolate}" in widget.split(".body{", 1)[1].split("\n", 1)[0]


ASCII_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=127), max_size=80)


@given(ASCII_TEXT)
def test_the_skeleton_of_ascii_text_takes_the_short_way_to_the_same_result(text):
    assert skeleton(text) == _skeleton(text)


def test_no_ascii_prototype_holds_a_character_that_is_replaced_itself():
    replaced = {char for char, _ in _ascii_prototypes()}
    assert replaced, "the look-alike table has ASCII entries ('1' reads as 'l')"
    assert not any(set(target) & replaced for _, target in _ascii_prototypes())
    assert skeleton("I1| m0") == _skeleton("I1| m0") == "ill rno"
