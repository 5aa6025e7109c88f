"""Hand-written probe sentences (``probes.json``), worded unlike the augmentation templates.

* ``threats``: explicit threats; each should be held or rejected.
* ``violence_civil``: civil sentences that mention violence; each should be published.
* ``identity_pairs``: one clean sentence with two different group terms (``a``, ``b``);
  both should be published, with close scores.
* ``political_civil``: civil news comments naming politicians, parties, countries and
  faiths; at most one in 15 should be held.
* ``threats_veiled``: veiled, idiomatic and conditional threats, written before
  ``news-minilm-3`` was trained and worded unlike its augmentation (other idioms); each
  should be held or rejected.
* ``idioms_civil``: civil sentences whose idioms use violent words ("went down in
  flames", "bury the hatchet"), also held out; each should be published.

They are not taken from any data set, so they live in the repository. Nothing here
prints them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PROBES_FILE = Path(__file__).resolve().parent / "probes.json"


@dataclass(frozen=True)
class Probes:
    """The probe sets."""

    threats: list[str]
    violence_civil: list[str]
    identity_pairs: list[tuple[str, str]]
    political_civil: list[str]
    threats_veiled: list[str]
    idioms_civil: list[str]

    def rows(self) -> tuple[list[str], list[str]]:
        """``(ids, texts)``: ids ``probe:<kind>:<k>`` with kind ``threat``,
        ``violence_civil``, ``pair_a``, ``pair_b``, ``political_civil``, ``threat_veiled``
        or ``idiom_civil``."""
        ids: list[str] = []
        texts: list[str] = []
        for kind, sentences in (("threat", self.threats), ("violence_civil", self.violence_civil),
                                ("pair_a", [a for a, _ in self.identity_pairs]),
                                ("pair_b", [b for _, b in self.identity_pairs]),
                                ("political_civil", self.political_civil),
                                ("threat_veiled", self.threats_veiled),
                                ("idiom_civil", self.idioms_civil)):
            ids.extend(f"probe:{kind}:{k}" for k in range(len(sentences)))
            texts.extend(sentences)
        return ids, texts


def load_probes(path: str | Path = PROBES_FILE) -> Probes:
    """Read the probes file.

    Raises:
        ValueError: if a set is missing or a sentence is not a non-empty string.
    """
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    threats, civil = raw.get("threats"), raw.get("violence_civil")
    political, veiled, idioms = (raw.get(key) for key in ("political_civil", "threats_veiled",
                                                          "idioms_civil"))
    pairs = [(pair.get("a"), pair.get("b")) for pair in raw.get("identity_pairs") or []]
    sentences = [*(threats or []), *(civil or []), *(s for pair in pairs for s in pair),
                 *(political or []), *(veiled or []), *(idioms or [])]
    if not threats or not civil or not pairs or not political or not veiled or not idioms or \
            not all(isinstance(s, str) and s.strip() for s in sentences):
        raise ValueError(f"{path}: needs non-empty threats, violence_civil, identity_pairs "
                         "({a, b}), political_civil, threats_veiled and idioms_civil sentences")
    return Probes(list(threats), list(civil), pairs, list(political), list(veiled), list(idioms))
