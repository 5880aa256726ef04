"""Words a post is about: accents and case folded, French and English stop words dropped."""

from __future__ import annotations

import re
import unicodedata

# Short on purpose: the words that carry no meaning in a post's title or body.
STOP_WORDS = frozenset(
    """
    a an and are as at be but by for from has have i in is it its me my no not of on or
    our so that the their them there this to too up was we were what when where which who
    will with you your can need needs looking want please help anyone someone
    au aux avec ce ces cette dans de des du elle en est et eux il ils je la le les leur
    lui ma mais me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    son sur ta te tes toi ton tu un une vos votre vous y a été être avoir suis cherche
    besoin aide quelqu svp merci bonjour
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
MIN_WORD_CHARS = 2


def fold(text: str) -> str:
    """Lower case, accents removed: 'Été' and 'ete' are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keywords(text: str) -> frozenset[str]:
    return frozenset(
        w for w in _WORD.findall(fold(text)) if len(w) >= MIN_WORD_CHARS and w not in STOP_WORDS
    )
