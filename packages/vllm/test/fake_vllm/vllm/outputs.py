"""``vllm.outputs``: RequestOutput / CompletionOutput with the fields of vLLM's ``vllm/outputs.py``."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from vllm.logprobs import Logprob


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: List[int]
    cumulative_logprob: Optional[float]
    logprobs: Optional[List[Dict[int, Logprob]]]
    finish_reason: Optional[str] = None
    stop_reason: Union[int, str, None] = None
    lora_request: Any = None


@dataclass
class RequestOutput:
    request_id: str
    prompt: Optional[str]
    prompt_token_ids: List[int]
    prompt_logprobs: Optional[List[Optional[Dict[int, Logprob]]]]
    outputs: List[CompletionOutput]
    finished: bool = True
    metrics: Any = None
    lora_request: Any = None
    num_cached_tokens: int = 0
    encoder_prompt: Optional[str] = None
    encoder_prompt_token_ids: Optional[List[int]] = None
