"""What a nudge says, in the widget's four languages: a message, and a reason per label
(or for the site's words, never naming them). Other languages get English."""

from __future__ import annotations

from collections.abc import Iterable

WORDS = "words"
"""The reason of a text that holds one of the site's banned or suspect words."""

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "message": "Your comment may break this site's guidelines, so it may be held for a "
                   "moderator or not published. You can edit it, or post it as it is.",
        "toxicity": "It may read as rude or disrespectful.",
        "severe_toxicity": "It may read as hateful or very aggressive.",
        "obscene": "It may contain obscene language.",
        "threat": "It may read as a threat.",
        "insult": "It may read as insulting.",
        "identity_attack": "It may attack people for who they are.",
        "sexual_explicit": "It may be sexually explicit.",
        WORDS: "It uses words that this site does not allow, or that its moderators check.",
    },
    "fr": {
        "message": "Votre commentaire pourrait enfreindre les règles de ce site : il pourrait "
                   "être retenu pour un modérateur ou ne pas être publié. Vous pouvez le "
                   "modifier, ou le publier tel quel.",
        "toxicity": "Il peut sembler grossier ou irrespectueux.",
        "severe_toxicity": "Il peut sembler haineux ou très agressif.",
        "obscene": "Il peut contenir des propos obscènes.",
        "threat": "Il peut être lu comme une menace.",
        "insult": "Il peut sembler insultant.",
        "identity_attack": "Il peut s'en prendre à des personnes pour ce qu'elles sont.",
        "sexual_explicit": "Il peut être sexuellement explicite.",
        WORDS: "Il contient des mots que ce site n'accepte pas, ou que ses modérateurs "
               "vérifient.",
    },
    "de": {
        "message": "Ihr Kommentar verstößt möglicherweise gegen die Regeln dieser Seite und "
                   "wird deshalb vielleicht zurückgehalten oder nicht veröffentlicht. Sie "
                   "können ihn bearbeiten oder so veröffentlichen, wie er ist.",
        "toxicity": "Er könnte unhöflich oder respektlos wirken.",
        "severe_toxicity": "Er könnte hasserfüllt oder sehr aggressiv wirken.",
        "obscene": "Er könnte obszöne Ausdrücke enthalten.",
        "threat": "Er könnte als Drohung verstanden werden.",
        "insult": "Er könnte beleidigend wirken.",
        "identity_attack": "Er könnte Menschen dafür angreifen, wer sie sind.",
        "sexual_explicit": "Er könnte sexuell explizit sein.",
        WORDS: "Er enthält Wörter, die diese Seite nicht zulässt oder die ihre Moderation "
               "prüft.",
    },
    "es": {
        "message": "Es posible que tu comentario no cumpla las normas de este sitio, así que "
                   "podría quedar retenido para un moderador o no publicarse. Puedes "
                   "editarlo o publicarlo tal como está.",
        "toxicity": "Puede parecer grosero o irrespetuoso.",
        "severe_toxicity": "Puede parecer odioso o muy agresivo.",
        "obscene": "Puede contener lenguaje obsceno.",
        "threat": "Puede leerse como una amenaza.",
        "insult": "Puede parecer insultante.",
        "identity_attack": "Puede atacar a personas por lo que son.",
        "sexual_explicit": "Puede ser sexualmente explícito.",
        WORDS: "Usa palabras que este sitio no permite, o que sus moderadores revisan.",
    },
}


def nudge_text(locale: str, labels: Iterable[str], words: bool) -> tuple[str, list[str]]:
    """The message and the reasons for ``labels`` (and the site's ``words``), in the
    language of ``locale`` (``fr``, ``fr-CA``; English when it is not one of ours)."""
    texts = TEXTS.get(locale.split("-")[0].lower(), TEXTS["en"])
    reasons = [texts[label] for label in dict.fromkeys(labels) if label in texts]
    if words:
        reasons.append(texts[WORDS])
    return texts["message"], reasons
