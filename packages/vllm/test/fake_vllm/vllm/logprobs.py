"""``vllm.logprobs.Logprob`` (older releases: ``vllm.sequence.Logprob``)."""
from dataclasses import dataclass
from typing import Optional


@dataclass
class Logprob:
    logprob: float
    rank: Optional[int] = None
    decoded_token: Optional[str] = None
