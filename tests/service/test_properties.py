"""Properties of the policy and of text handling, checked with generated cases.

The policy is pure, so it is checked on its own. Text goes through the real POST
endpoint (the Flask test client, a real database and Redis): whatever the bytes,
the answer is never a 5xx; a 202 stores exactly the trimmed text; anything else is
a 4xx JSON error with a message, and leaves no row behind.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from service import db
from service.comments.models import Comment, Decision, Event
from service.policy import DEFAULT_HOLD, DEFAULT_REJECT, LABELS, Outcome, Policy, decide
from service.text import strip_invisible

SEVERITY = {Outcome.APPROVED: 0, Outcome.HELD: 1, Outcome.REJECTED: 2}

# ---------------------------------------------------------------- the policy

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
scores = st.dictionaries(st.sampled_from(LABELS), unit)
thresholds = st.dictionaries(st.sampled_from(LABELS), unit)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    return Policy.from_overrides({"hold": draw(thresholds), "reject": draw(thresholds),
                                  "hold_everything": draw(st.booleans())})


@given(policies(), scores, st.sampled_from(LABELS), unit)
def test_raising_a_score_never_makes_the_outcome_milder(policy, before, label, raised_to):
    after = dict(before)
    after[label] = max(before.get(label, 0.0), raised_to)

    assert SEVERITY[decide(after, policy).outcome] >= SEVERITY[decide(before, policy).outcome]


@given(policies(), scores)
def test_reject_wins_over_hold(policy, values):
    rejecting = [label for label, score in values.items() if score >= policy.reject[label]]
    verdict = decide(values, policy)

    assert (verdict.outcome == Outcome.REJECTED) == bool(rejecting)
    if rejecting:
        assert set(verdict.labels) == set(rejecting)


@given(policies(), scores)
def test_the_outcome_is_the_highest_band_any_label_reaches(policy, values):
    holding = any(score >= policy.hold[label] for label, score in values.items())
    rejecting = any(score >= policy.reject[label] for label, score in values.items())
    expected = (Outcome.REJECTED if rejecting else Outcome.HELD
                if holding or policy.hold_everything else Outcome.APPROVED)

    assert decide(values, policy).outcome == expected


@given(policies(), scores)
def test_pre_moderation_never_publishes(policy, values):
    premoderated = Policy(policy.hold, policy.reject, hold_everything=True)

    assert decide(values, premoderated).outcome != Outcome.APPROVED


@given(scores)
def test_the_default_thresholds_are_ordered_hold_below_reject(values):
    assert all(DEFAULT_HOLD[label] <= DEFAULT_REJECT[label] for label in LABELS)
    verdict = decide(values, Policy())
    below_hold = all(score < DEFAULT_HOLD[label] for label, score in values.items())
    assert (verdict.outcome == Outcome.APPROVED) == below_hold


@given(scores, st.dictionaries(st.text(min_size=1).filter(lambda s: s not in LABELS), unit))
def test_labels_the_policy_does_not_know_are_ignored(values, unknown):
    policy = Policy()
    assert decide({**values, **unknown}, policy) == decide(values, policy)


@given(st.sampled_from(["hold", "reject"]), st.sampled_from(LABELS),
       st.one_of(st.floats(allow_nan=True).filter(lambda x: not 0.0 <= x <= 1.0),
                 st.text(), st.none()))
def test_a_threshold_outside_zero_to_one_is_refused(band, label, value):
    with pytest.raises(ValueError, match=label):
        Policy.from_overrides({band: {label: value}})


# ---------------------------------------------------------------- text through the API

THREAD = "/api/v1/threads/property-thread/comments"
MAX_BODY = 64 * 1024
# Unicode White_Space, which is what the schema trims (Python's str.strip trims more).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TRICKY = [
    "\u202eevil\u202c", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627",  # RTL
    "\u200b", "\u200d", "\ufeff", "\u2060",  # zero width
    "\U0001f600", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1fa\U0001f1e6",
    "\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\ud800", "\udfff",  # controls, surrogates
    " ", "\t", "\n", "\u3000", "\xa0", "\x85", "\u2028",  # whitespace
    "<script>", "'; DROP TABLE comments; --", "{{7*7}}", "%s%n", "\\u0000",
]
piece = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20),
                  st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Zs"]))
readable = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]),
                   min_size=1, max_size=60)
texts = st.one_of(
    readable,
    st.lists(st.one_of(readable, st.sampled_from(TRICKY[:10])), min_size=1, max_size=4)
    .map(" ".join),
    st.lists(piece, max_size=12).map("".join),
    st.tuples(st.sampled_from(["a", "\U0001f600", " ", "\u05e9", "\u200b"]),
              st.integers(4990, 5010), st.sampled_from(["", " ", "\n"]))
    .map(lambda spec: spec[0] * spec[1] + spec[2]),
    st.integers(16 * 1024, 70 * 1024).map(lambda size: "x" * size),
)


def trim(text: str) -> str:
    return text.strip(WHITE_SPACE)


def acceptable(text: str, longest: int) -> bool:
    """What the public contract accepts: 1 to ``longest`` clean characters after trimming,
    some of them visible."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    trimmed = trim(text)
    visible = any(unicodedata.category(char)[0] not in "CZ" for char in trimmed)
    return 1 <= len(trimmed) <= longest and not CONTROL.search(trimmed) and visible


def counts(app) -> Mapping[str, int]:
    with app.app_context():
        session = db.session()
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Comment, Event, Decision)}


def assert_refused_cleanly(response, status: int | None = None) -> None:
    assert response.status_code < 500, response.data[:300]
    assert 400 <= response.status_code < 500
    if status is not None:
        assert response.status_code == status, response.json
    assert response.is_json, response.data[:300]
    assert response.json["message"].strip()


@pytest.fixture
def open_app(settings, request):
    """The app with the abuse limits off: the generator repeats itself and floods."""
    settings["REPEAT_WINDOW_SECONDS"] = 0
    settings["MAX_PENDING_PER_THREAD"] = 0
    return request.getfixturevalue("app")


FIXTURE_SETTINGS = settings(
    max_examples=120, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@FIXTURE_SETTINGS
@given(body=texts, author=texts, ascii_only=st.booleans())
def test_any_text_is_stored_trimmed_or_refused_with_a_message(open_app, body, author,
                                                             ascii_only):
    client = open_app.test_client()
    raw = json.dumps({"body": body, "author": author}, ensure_ascii=ascii_only)
    payload = raw.encode("utf-8", "surrogatepass")
    before = counts(open_app)

    response = client.post(THREAD, data=payload, content_type="application/json")

    after = counts(open_app)
    event(f"status {response.status_code}")
    if len(payload) > MAX_BODY:
        assert_refused_cleanly(response, 413)
    elif not ascii_only and any(0xD800 <= ord(char) <= 0xDFFF for char in body + author):
        assert_refused_cleanly(response)  # surrogates written raw: the bytes are not UTF-8
    else:
        # What the server reads: an escaped surrogate pair decodes to one character.
        sent = json.loads(raw)
        if acceptable(sent["body"], 5000) and acceptable(sent["author"], 80):
            assert response.status_code == 202, response.json
            with open_app.app_context():
                stored = db.session().get(Comment, uuid.UUID(response.json["id"]))
                assert stored.body == trim(sent["body"])
                # Names lose invisible and bidi characters ("\u202enimda" is not "admin").
                assert stored.author == " ".join(strip_invisible(trim(sent["author"])).split())
            # A comment that breaks a spam rule is decided at once: one decision, one
            # more event (``service.comments.spam``).
            decided = response.json["status"] != "pending"
            assert after == {**before, "comments": before["comments"] + 1,
                             "decisions": before["decisions"] + decided,
                             "events": before["events"] + 1 + decided}
            return
        assert_refused_cleanly(response, 422)
    assert after == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(["body", "author", "parent_id", "extra"]), json_values,
                    max_size=4).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
    st.tuples(st.binary(min_size=1, max_size=8), st.integers(0, 30)).map(
        lambda spec: b'{"body": "' + b"ok " * spec[1] + spec[0] + b'", "author": "Ana"}'),
)


@FIXTURE_SETTINGS
@given(payload=bodies, content_type=st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", ""]))
def test_arbitrary_bytes_never_cause_a_server_error(open_app, payload, content_type):
    client = open_app.test_client()
    before = counts(open_app)

    response = client.post(THREAD, data=payload, content_type=content_type)

    assert response.status_code < 500, response.data[:300]
    event(f"status {response.status_code}")
    if response.status_code == 202:
        assert counts(open_app)["comments"] == before["comments"] + 1
    else:
        assert_refused_cleanly(response)
        assert counts(open_app) == before


@FIXTURE_SETTINGS
@given(thread=st.text(min_size=1, max_size=220).filter(lambda s: "/" not in s))
def test_any_thread_id_is_answered_without_a_server_error(open_app, thread):
    from urllib.parse import quote

    client = open_app.test_client()
    url = f"/api/v1/threads/{quote(thread.encode('utf-8', 'surrogatepass'), safe='')}/comments"
    valid = re.fullmatch(r"[A-Za-z0-9._-]{1,200}", thread) is not None
    before = counts(open_app)

    posted = client.post(url, json={"body": "Hello", "author": "Ana"})
    listed = client.get(url)

    assert posted.status_code == (202 if valid else 404), posted.data[:300]
    assert listed.status_code == (200 if valid else 404), listed.data[:300]
    if not valid:
        assert_refused_cleanly(posted)
        assert counts(open_app) == before
