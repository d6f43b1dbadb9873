"""``lm_eval.api.filter`` stand-in: the Filter base class task helpers subclass."""
from abc import ABC, abstractmethod


class Filter(ABC):
    """A filter: ``apply(resps, docs)`` maps each doc's list of responses to filtered responses."""

    def __init__(self, **kwargs) -> None:
        pass

    @abstractmethod
    def apply(self, resps, docs):
        return resps
