"""``lm_eval.filters.transformation`` stand-in, with lm-eval's behaviour
(lm_eval/filters/transformation.py ``LowercaseFilter``, ``UppercaseFilter``, ``MapFilter``)."""
from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter


@register_filter("lowercase")
class LowercaseFilter(Filter):
    def apply(self, resps, docs):
        return [[r.lower() for r in inst] for inst in resps]


@register_filter("uppercase")
class UppercaseFilter(Filter):
    def apply(self, resps, docs):
        return [[r.upper() for r in inst] for inst in resps]


@register_filter("map")
class MapFilter(Filter):
    """Replaces each response by ``mapping_dict[response]``, or ``default_value`` when absent."""

    def __init__(self, mapping_dict: dict = None, default_value=None) -> None:
        if mapping_dict is None:
            mapping_dict = {}
        assert isinstance(mapping_dict, dict), "Provided mapping_dict is not a dictionary"
        self.mapping_dict = mapping_dict
        self.default_value = default_value

    def apply(self, resps, docs):
        return [[self.mapping_dict.get(r, self.default_value) for r in inst] for inst in resps]
