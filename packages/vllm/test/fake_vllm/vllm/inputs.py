"""``vllm.inputs``: prompt TypedDicts (plain dicts at run time, as in vLLM)."""
from typing import List, TypedDict


class TokensPrompt(TypedDict, total=False):
    prompt_token_ids: List[int]
    prompt: str


class TextPrompt(TypedDict, total=False):
    prompt: str
