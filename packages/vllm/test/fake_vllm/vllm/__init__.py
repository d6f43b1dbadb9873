"""A stand-in for the ``vllm`` package (tests only; see packages/vllm/README.md).

It implements the offline API surface that lm-eval's vLLM backend (and our worker) uses —
``LLM``, ``SamplingParams``, ``TokensPrompt``, ``RequestOutput``/``CompletionOutput``,
``Logprob``, ``LoRARequest``, ``get_tokenizer`` — per the shapes of vLLM's ``vllm/entrypoints/llm.py``, ``sampling_params.py`` and
``outputs.py``, with real
numbers for the bundled stories260K model from a float64 numpy forward pass.

Like real vLLM it prints log lines to stdout at import and engine start, so tests prove the
worker keeps its protocol channel clean.
"""
import sys as _sys

print("INFO [fake-vllm] importing vllm stand-in (log line on stdout, as real vLLM does)", flush=True)

__version__ = "0.11.0+fake.stories260k"

from vllm.sampling_params import SamplingParams  # noqa: E402
from vllm.inputs import TextPrompt, TokensPrompt  # noqa: E402
from vllm.outputs import CompletionOutput, RequestOutput  # noqa: E402
from vllm.entrypoints.llm import LLM  # noqa: E402

__all__ = ["LLM", "SamplingParams", "TokensPrompt", "TextPrompt", "RequestOutput", "CompletionOutput", "__version__"]
