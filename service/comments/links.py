"""Finding the links in a comment: full URLs, ``www.`` hosts and bare domains.

Spammers write links that a browser would not: ``bit.ly/x``, ``cheap-watches.shop``,
``example[.]com`` or ``example dot com``. The text is read in its model form (NFKC, no
invisible characters, see ``service.text``) and these disguises are undone before
looking. Bare domains count only with a known top-level domain, so that "e.g.",
"U.S." or "3.5" are not links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.text import model_text

SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly",
    "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id", "v.gd",
    "bl.ink", "lnkd.in", "shorte.st", "adf.ly", "tr.im", "clck.ru", "qr.ae", "u.to",
    "soo.gd", "short.io", "tiny.one", "linktr.ee", "bit.do", "x.co", "yourls.org",
})
"""Hosts of URL-shortening services: where the link leads is hidden."""

_TLDS = (
    "com|net|org|info|biz|io|ly|ru|cn|xyz|top|shop|store|online|site|club|app|dev|tv|cc|"
    "gd|ee|ws|su|pw|tk|ml|ga|cf|gq|uk|vip|bid|loan|click|mobi|asia|icu|buzz|cyou|sbs|cam|"
    "monster|website|tech"
)
"""Top-level domains that make a bare ``word.tld`` a link. Two-letter ones that end
sentences typed without a space ("the end.it was", "go.to") are left out."""
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
_URL = re.compile(
    rf"(?:https?://|www\.)(?P<host>{_HOST})(?::\d+)?(?:[/?#][^\s<>\"']*)?"
    rf"|(?<![\w@.-])(?P<bare>{'|'.join(re.escape(host) for host in sorted(SHORTENERS))}"
    rf"|(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS}))"
    r"(?![\w-])(?:/[^\s<>\"']*)?",
)
_DISGUISED_DOTS = re.compile(r"\s*(?:\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}|\[dot\]|\(dot\))\s*")
_SPOKEN_DOT = re.compile(rf"(?<=[a-z0-9])\s+dot\s+(?=(?:{_TLDS})\b)")


@dataclass(frozen=True)
class Link:
    """One link found in a text: its host, without ``www.``, and where it is."""

    host: str
    start: int
    end: int


def readable(text: str) -> str:
    """``text`` as links are looked for in: model form, lower case, disguised dots undone."""
    text = model_text(text).lower()
    # Each disguise has a bracket, or the word "dot": most texts have neither, and the
    # patterns, which may start anywhere, cost more than looking for those.
    if "[" in text or "(" in text or "{" in text:
        text = _DISGUISED_DOTS.sub(".", text)
    return _SPOKEN_DOT.sub(".", text) if "dot" in text else text


_DOT_LETTER = re.compile(r"\.[a-z]")
"""In every link ``_URL`` finds: a dot before its top-level domain (a shortener's too)."""


def find_links(text: str) -> list[Link]:
    """The links in ``text``, in order (positions are in ``readable(text)``)."""
    return links_in(readable(text))


def links_in(readable_text: str) -> list[Link]:
    """The links in a text already ``readable``, in order."""
    if not _DOT_LETTER.search(readable_text):
        return []  # most comments: no dot before a letter, so no link to look for
    links = []
    for match in _URL.finditer(readable_text):
        host = (match.group("host") or match.group("bare") or "").strip(".")
        links.append(Link(host.removeprefix("www."), match.start(), match.end()))
    return links


def without_links(text: str) -> str:
    """``readable(text)`` with every link cut out."""
    readable_text = readable(text)
    pieces, last = [], 0
    for link in find_links(text):
        pieces.append(readable_text[last:link.start])
        last = link.end
    pieces.append(readable_text[last:])
    return " ".join("".join(pieces).split())


def is_shortener(host: str) -> bool:
    """Whether ``host`` (or a domain above it) is a URL shortener."""
    parts = host.split(".")
    return any(".".join(parts[index:]) in SHORTENERS for index in range(len(parts) - 1))


def site_of(host: str) -> str:
    """The domain a host belongs to, as repeated-domain counting compares them: its last
    two labels (three when the second-last is short, as in ``example.co.uk``)."""
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and len(parts[-2]) <= 3 and len(parts[-1]) == 2 else 2
    return ".".join(parts[-keep:])


def link_sites(text: str) -> str | None:
    """The sites ``text`` links to (``site_of``), as comments keep them: space-separated,
    with a space at each end so that ``" site "`` matches one whole; None without links."""
    return sites_linked(find_links(text))


def sites_linked(links: Sequence[Link]) -> str | None:
    """``link_sites`` of the links already found in a text."""
    sites = sorted({site_of(link.host) for link in links})
    joined = f" {' '.join(sites)} "
    return joined[:400] if sites else None
