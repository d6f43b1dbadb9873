from vllm.logprobs import Logprob  # noqa: F401  (old import location)
