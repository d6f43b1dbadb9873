"""``lm_eval.filters.selection`` stand-in, with lm-eval's behaviour
(lm_eval/filters/selection.py ``TakeFirstFilter``, ``TakeKFilter``, ``MajorityVoteFilter``)."""
from collections import Counter

from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter


@register_filter("take_first")
class TakeFirstFilter(Filter):
    """Each doc's first response."""

    def apply(self, resps, docs):
        return map(lambda r: r[0], resps)


@register_filter("take_first_k")
class TakeKFilter(Filter):
    """Each doc's first ``k`` responses."""

    def __init__(self, **kwargs) -> None:
        self.k = kwargs.pop("k")
        super().__init__(**kwargs)

    def apply(self, resps, docs):
        resps = list(resps)
        assert len(resps[0]) >= self.k, f"Need at least {self.k} responses per doc to take first {self.k}, but got {len(resps[0])} only! Please increase TaskConfig.repeats ."
        return map(lambda r: r[: self.k], resps)


@register_filter("majority_vote")
class MajorityVoteFilter(Filter):
    """Each doc's most frequent response (the first seen among ties), as a one-item list."""

    def apply(self, resps, docs):
        return map(lambda r: [Counter(r).most_common(1)[0][0]], resps)
