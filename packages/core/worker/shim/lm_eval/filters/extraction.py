"""``lm_eval.filters.extraction`` stand-in: the regex filters, with lm-eval's behaviour
(lm_eval/filters/extraction.py ``RegexFilter``, ``WhitespaceFilter``, ``MultiChoiceRegexFilter``)."""
import re
import sys
import unicodedata

from lm_eval.api.filter import Filter  # noqa: F401  (helpers import Filter from here too)
from lm_eval.api.registry import register_filter


def _first_match(regex, text, group_select, convert=None):
    """``regex.findall(text)[group_select]``; of a tuple, its first non-empty group (None if
    all are empty); stripped, then mapped through ``convert``. ``""``-like when nothing matched."""
    found = regex.findall(text)
    if not found:
        return found
    m = found[group_select]
    if isinstance(m, tuple):
        m = next((g for g in m if g), None)
        if m is None:
            return None
    m = m.strip()
    if m and convert and m in convert:
        m = convert[m]
    return m


@register_filter("regex")
class RegexFilter(Filter):
    """Each response becomes the ``group_select``-th match of ``regex_pattern`` (the first
    non-empty group of a multi-group match), stripped; ``fallback`` when nothing matches."""

    def __init__(self, regex_pattern: str = r"#### (\-?[0-9\.\,]+)", group_select: int = 0, fallback: str = "[invalid]") -> None:
        self.regex_pattern = regex_pattern
        self.regex = re.compile(regex_pattern)
        self.group_select = group_select
        self.fallback = fallback

    def apply(self, resps, docs):
        out = []
        for inst in resps:
            row = []
            for resp in inst:
                m = _first_match(self.regex, resp if isinstance(resp, str) else "", self.group_select)
                row.append(self.fallback if not m else m)
            out.append(row)
        return out


@register_filter("remove_whitespace")
class WhitespaceFilter(Filter):
    """Strips leading and trailing whitespace from every response."""

    def apply(self, resps, docs):
        return [[r.strip() for r in inst] for inst in resps]


_PUNCTUATION = None


def _punctuation_table():
    global _PUNCTUATION
    if _PUNCTUATION is None:
        _PUNCTUATION = dict.fromkeys(i for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P"))
    return _PUNCTUATION


@register_filter("multi_choice_regex")
class MultiChoiceRegexFilter(RegexFilter):
    """A letter answer to a multiple-choice doc (``doc["choices"]``): ``regex_pattern`` first;
    else a choice's text found in the response (after the ignore options) gives ``(A)``, ``(B)``…;
    else ``: A``-style letters; else ``fallback``."""

    def __init__(self, regex_pattern: str = r"#### (\-?[0-9\.\,]+)", group_select: int = 0, fallback: str = "[invalid]", ignore_case: bool = False, ignore_punctuation: bool = False, regexes_to_ignore=None) -> None:
        super().__init__(regex_pattern, group_select, fallback)
        self.ignore_case = ignore_case
        self.ignore_punctuation = ignore_punctuation
        self.regexes_to_ignore = regexes_to_ignore

    def _ignore(self, text):
        for pattern in self.regexes_to_ignore or []:
            text = re.sub(pattern, "", text)
        if self.ignore_case:
            text = text.lower()
        if self.ignore_punctuation:
            text = text.translate(_punctuation_table())
        return text

    def apply(self, resps, docs):
        out = []
        for inst, doc in zip(resps, docs, strict=True):
            letters = [chr(ord("A") + i) for i in range(len(doc["choices"]))]
            texts = [self._ignore(c.strip()) for c in doc["choices"]]
            by_text = {t: f"({letter})" for t, letter in zip(texts, letters)}
            by_letter = {letter: f"({letter})" for letter in letters}
            text_regex = re.compile("|".join(re.escape(t) for t in texts))
            letter_regex = re.compile(r":[\s]*(" + "|".join(letters) + ")")
            row = []
            for raw in inst:
                resp = raw if isinstance(raw, str) else ""
                m = _first_match(self.regex, resp, self.group_select) or ""
                if not m:
                    # lm-eval applies the ignore options to the response as it came
                    t = self._ignore(raw)
                    m = _first_match(text_regex, t if isinstance(t, str) else "", self.group_select, by_text) or ""
                    if not m:
                        m = _first_match(letter_regex, resp, self.group_select, by_letter) or ""
                row.append(m if m else self.fallback)
            out.append(row)
        return out
