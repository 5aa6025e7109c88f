"""The widget's strings: English in widget.js, other languages as JSON files beside it."""

from __future__ import annotations

import json
import re

import pytest

from service.widget.views import LOCALES, SCRIPT

SHIPPED = {"de", "es", "fr"}


def english() -> dict[str, str]:
    """widget.js's ``EN`` table, written in JSON so that this test and translators can read it."""
    source = SCRIPT.read_text(encoding="utf-8")
    table = re.search(r"^  const EN = (\{\n.*?\n  \});$", source, re.MULTILINE | re.DOTALL)
    assert table, "widget.js has no `const EN = {...};` table"
    return json.loads(table.group(1))


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_english_french_german_and_spanish_are_shipped():
    assert {path.stem for path in LOCALES.glob("*.json")} >= SHIPPED
    assert english()["closed"] == "Comments are closed."


@pytest.mark.parametrize("path", sorted(LOCALES.glob("*.json")), ids=lambda path: path.stem)
def test_a_locale_translates_every_english_string_and_keeps_its_placeholders(path):
    source = english()
    translated = json.loads(path.read_text(encoding="utf-8"))

    assert re.fullmatch(r"[a-z]{2,3}", path.stem), "files are named by the language subtag"
    assert set(translated) == set(source), "missing or unknown keys"
    for key, text in translated.items():
        assert isinstance(text, str) and text.strip(), key
        assert placeholders(text) == placeholders(source[key]), key
    assert translated["closed"] != source["closed"], "not translated"


def test_french_strings_are_served_to_any_origin_and_cached(client):
    response = client.get("/widget/static/locales/fr.json",
                          headers={"Origin": "https://news.example.fr"})

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json["closed"] == "Les commentaires sont fermés."
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.cache_control.public and response.cache_control.max_age > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_an_unknown_language_is_a_404_and_other_files_get_no_cors(client):
    assert client.get("/widget/static/locales/xx.json").status_code == 404
    css = client.get("/widget/static/article.css")
    assert "Access-Control-Allow-Origin" not in css.headers
