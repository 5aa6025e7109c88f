"""The spam stage decides link spam, near-duplicates and floods before the model.

The link rules decide in the POST; near-duplicates and floods are screened by the
scoring worker, before the model, so those tests run it (``drain``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from service import db
from service.comments.links import (
    _DISGUISED_DOTS,
    _SPOKEN_DOT,
    _URL,
    find_links,
    is_shortener,
    link_sites,
    links_in,
    readable,
    site_of,
    without_links,
)
from service.comments.models import Comment, Decision, Event, Status
from service.comments.similarity import (
    comparable_text,
    is_current,
)
from service.comments.spam import RULES, SPAM_ACTOR_MODEL, SpamSettings, save_spam_settings
from service.queueing import SCORING_QUEUE
from service.text import model_text
from tests.support.work import drain

THREAD = "/api/v1/threads/{}/comments"
ONLY = dict.fromkeys(RULES, "off")
ADVERT = ("Earn $5000 a week working from home on your laptop! Details and sign-up: "
          "https://easy-cash.biz/ref=123")


def post(client, body: str, *, author: str = "Ana", thread: str = "city-budget",
         address: str = "10.0.0.1"):
    response = client.post(THREAD.format(thread), json={"body": body, "author": author},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 202, response.json
    return response.json


def rules(app, **changes) -> None:
    """Turn every rule off but those named in ``changes``."""
    with app.app_context(), db.transaction() as session:
        save_spam_settings(session, SpamSettings.model_validate(ONLY | changes), by="test")


def decision(app, comment_id: str) -> Decision:
    with app.app_context():
        return db.session().scalars(
            select(Decision).where(Decision.comment_id == uuid.UUID(comment_id))).one()


def screened(app, *answers: dict) -> list[Decision]:
    """Run the scoring worker; the decision taken on each of ``answers``."""
    drain(app, (SCORING_QUEUE,))
    return [decision(app, answer["id"]) for answer in answers]


def by_spam_rule(taken: Decision) -> str | None:
    """The spam rule's code when a spam rule decided (never scored), else None."""
    if taken.model != SPAM_ACTOR_MODEL:
        return None
    assert taken.actor == "model" and taken.scores is None and taken.outcome == "held"
    return taken.code


def queued(redis) -> list[bytes]:
    return redis.lrange("rq:queue:scoring", 0, -1)


@pytest.mark.parametrize(("body", "code"), [
    ("Cheap watches http://a-shop.com/1 and http://b-shop.com/2 and http://c-shop.com/3",
     "spam.links"),
    ("https://watches.example.com/deal", "spam.link_only"),
    ("Read the real truth they do not want you to know at bit.ly/truth", "spam.shortener"),
])
def test_link_spam_is_held_with_its_reason_and_never_reaches_the_model(app, client, redis,
                                                                       body, code):
    answer = post(client, body)

    assert answer["status"] == "held"
    taken = decision(app, answer["id"])
    assert (taken.outcome, taken.code, taken.actor, taken.model) == (
        "held", code, "model", SPAM_ACTOR_MODEL)
    assert code in taken.reason
    assert queued(redis) == []
    with app.app_context():
        types = db.session().scalars(select(Event.type).order_by(Event.created_at)).all()
    assert types == ["comment.created", "comment.held"]


def test_a_rule_set_to_reject_rejects_and_a_rule_turned_off_lets_through(app, client, redis):
    rules(app, shortener="reject")
    assert post(client, "Claim your prize at tinyurl.com/prize now")["status"] == "rejected"
    assert post(client, "Many links: a-shop.com b-shop.com c-shop.com d-shop.com",
                author="Bo")["status"] == "pending"
    assert len(queued(redis)) == 1


@given(st.lists(st.sampled_from(("example", "[.]", "( . )", "{.}", "[dot]", "(dot)", " dot ",
                                  "dot", "com", " ", "\n", "(", "]", "Shop", ".")),
                max_size=12).map("".join))
def test_the_disguised_dots_are_undone_whether_or_not_the_patterns_run(text):
    """``readable`` runs each pattern only when its bracket or word is in the text."""
    lowered = model_text(text).lower()
    assert readable(text) == _SPOKEN_DOT.sub(".", _DISGUISED_DOTS.sub(".", lowered))


def test_ordinary_text_with_dots_is_not_a_link():
    assert find_links("The U.S. spent 3.5 billion, e.g. on roads.It was a lot.") == []
    assert [link.host for link in find_links("see WWW.Example.COM and spam[.]shop")] == [
        "example.com", "spam.shop"]
    assert without_links("deal: http://x.biz/a?b=c now") == "deal: now"
    assert is_shortener("bit.ly") and not is_shortener("nytimes.com")
    assert link_sites("x.shop/a and https://news.bbc.co.uk/b, x.shop/c") == " bbc.co.uk x.shop "
    assert link_sites("no links here.") is None
    assert site_of("news.bbc.co.uk") == "bbc.co.uk"


PIECES = ("bit.ly", "x.biz", "http://", "www.", "e.g.", "3.5", ".", ". ", "[.]", " dot ", "com",
          "Shop", "a", " ", "/", "-", "\u200b", ".\u0435u")


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_link_scan_finds_what_the_full_pattern_finds(text):
    """Its shortcut (no dot before a letter, so no link) changes no answer."""
    readable_text = readable(text)
    assert [(link.start, link.end) for link in links_in(readable_text)] == [
        (match.start(), match.end()) for match in _URL.finditer(readable_text)]


def sha1_fingerprint(text: str) -> bytes:
    """A fingerprint as the stage took them before MurmurHash3: datasketch's SHA-1."""
    comparable = comparable_text(text)
    minhash = MinHash(num_perm=64, seed=20261204, scheme="affine32")
    minhash.update_batch([comparable[index:index + 5].encode()
                          for index in range(len(comparable) - 4)])
    return minhash.hashvalues.astype("<u4").tobytes()


def test_a_comment_fingerprinted_with_sha1_is_fingerprinted_again_and_still_matches(app, client):
    rules(app, near_duplicate="hold")
    first = post(client, ADVERT, author="Ana", thread="one")
    screened(app, first)
    with app.app_context(), db.transaction() as session:
        earlier = session.get(Comment, uuid.UUID(first["id"]))
        earlier.fingerprint = sha1_fingerprint(ADVERT)  # stored before the hash changed
    assert not is_current(sha1_fingerprint(ADVERT))

    again = post(client, ADVERT.replace("Earn", "Make"), author="Bo", thread="two",
                 address="10.9.9.9")
    assert by_spam_rule(*screened(app, again)) == "spam.near_duplicate"


def test_a_near_duplicate_under_another_name_in_another_thread_is_held(app, client):
    rules(app, near_duplicate="hold")
    first = post(client, ADVERT, author="Ana", thread="one")
    assert first["status"] == "pending"
    assert by_spam_rule(*screened(app, first)) is None

    again = post(client, ADVERT.replace("Earn", "Make").replace("123", "777"),
                 author="Totally Different", thread="two", address="10.9.9.9")
    assert again["status"] == "pending"  # screened by the worker, before the model

    [taken] = screened(app, again)
    assert by_spam_rule(taken) == "spam.near_duplicate"
    assert "recent comment by others or elsewhere" in taken.reason
    assert client.get(f"/api/v1/comments/{again['id']}").json["status"] == "held"


def test_a_near_duplicate_in_the_same_batch_is_held_and_the_first_is_not(app, client):
    rules(app, near_duplicate="hold")
    first = post(client, ADVERT, author="Ana", thread="one")
    again = post(client, ADVERT.replace("Earn", "Make"), author="Bo", thread="two",
                 address="10.9.9.9")

    assert [by_spam_rule(taken) for taken in screened(app, first, again)] == [
        None, "spam.near_duplicate"]


def test_the_same_author_in_the_same_thread_and_short_texts_are_not_near_duplicates(app, client):
    rules(app, near_duplicate="hold")
    body = "Comment {} of this thread: peace needs guarantees and patience."
    answers = [post(client, body.format(1)), post(client, body.format(2)),
               post(client, "I agree with this.", author="Bo", thread="x"),
               post(client, "I agree with this!", author="Cy", thread="y")]
    assert [answer["status"] for answer in answers] == ["pending"] * 4
    assert [by_spam_rule(taken) for taken in screened(app, *answers)] == [None] * 4


def test_a_near_duplicate_after_the_window_is_accepted(app, client):
    rules(app, near_duplicate="hold", window_seconds=3600)
    screened(app, post(client, ADVERT, author="Ana", thread="one"))
    with app.app_context(), db.transaction() as session:
        for comment in session.scalars(select(Comment)):
            comment.created_at -= timedelta(seconds=3601)

    assert by_spam_rule(*screened(app, post(client, ADVERT, author="Bo", thread="two"))) is None


def test_one_name_or_one_address_across_many_threads_is_a_flood(app, client):
    rules(app, flood="hold", flood_threads=3)
    by_name = [post(client, "First thought.", thread="t1"),
               post(client, "Second thought.", thread="t2"),
               post(client, "Third thought.", thread="t3")]
    by_address = [post(client, f"Another view {number}.", author=f"Name {number}",
                       thread=f"u{number}", address="10.1.1.1") for number in range(2)]
    by_address.append(post(client, "Yet another view.", author="Name 9", thread="u9",
                           address="10.1.1.1"))
    assert {answer["status"] for answer in by_name + by_address} == {"pending"}

    taken = screened(app, *by_name, *by_address)

    # Each is judged as on its arrival: the third thread floods, the first two do not.
    assert [by_spam_rule(one) for one in taken] == [None, None, "spam.flood"] * 2
    assert "this name commented in 3 threads" in taken[2].reason
    assert "this address" in taken[5].reason


def test_a_name_in_look_alike_letters_is_the_same_name(app, client):
    rules(app, flood="hold", flood_threads=2)
    first = post(client, "First thought.", author="Ana", thread="t1")
    second = post(client, "Second thought.", author="\u0410NA", thread="t2",  # Cyrillic A
                  address="10.2.2.2")

    assert [by_spam_rule(one) for one in screened(app, first, second)] == [None, "spam.flood"]


def test_many_comments_in_one_thread_are_not_a_flood(app, client):
    rules(app, flood="hold", flood_threads=3)
    answers = [post(client, f"Reply number {number}.") for number in range(5)]
    assert [by_spam_rule(taken) for taken in screened(app, *answers)] == [None] * 5


def test_a_domain_linked_from_many_comments_is_held(app, client):
    rules(app, repeated_domain="hold", repeated_domain_comments=3, allowed_domains=["bbc.co.uk"])
    for number in range(2):
        body = f"Opinion {number} on this, see http://promo.cheap-deals.shop/{number} for more"
        assert post(client, body, author=f"R{number}")["status"] == "pending"
        assert post(client, f"Opinion {number}: see https://www.bbc.co.uk/news/{number} here",
                    author=f"S{number}")["status"] == "pending"
    third = post(client, "And cheap-deals.shop has it cheaper than anywhere", author="R9")
    assert third["status"] == "held"
    assert decision(app, third["id"]).code == "spam.repeated_domain"
    assert post(client, "And bbc.co.uk/news says otherwise, folks", author="S9")["status"] == (
        "pending")


def test_a_link_from_a_new_commenter_is_held_but_not_from_a_known_one(app, client):
    rules(app, new_commenter_link="hold")
    first = post(client, "Background reading: https://en.wikipedia.org/wiki/Budget")
    assert first["status"] == "held"
    assert decision(app, first["id"]).code == "spam.new_commenter_link"
    known = post(client, "I have a view without links.")
    with app.app_context(), db.transaction() as session:
        session.get(Comment, uuid.UUID(known["id"])).status = Status.APPROVED

    assert post(client, "More at https://en.wikipedia.org/wiki/Tax")["status"] == "pending"
    assert post(client, "Same name, other address: https://en.wikipedia.org/wiki/Tax2",
                address="10.7.7.7")["status"] == "held"


def test_the_client_address_is_kept_only_as_a_keyed_hash(app, client):
    answer = post(client, "Hello there.", address="203.0.113.9")
    with app.app_context():
        stored = db.session().get(Comment, uuid.UUID(answer["id"]))
        assert stored.client and "203.0.113.9" not in stored.client and len(stored.client) == 32


@pytest.mark.parametrize("bad", [
    {"links": "maybe"}, {"max_links": -1}, {"similarity": 2}, {"allowed_domains": ["not a"]},
    {"window_seconds": 1}, {"unknown": 1},
])
def test_spam_settings_are_validated(bad):
    with pytest.raises(ValidationError):
        SpamSettings.model_validate(bad)
