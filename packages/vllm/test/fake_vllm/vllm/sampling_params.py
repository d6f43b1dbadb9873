"""``vllm.SamplingParams`` with the fields and validations of vLLM's ``vllm/sampling_params.py``."""
_SAMPLING_EPS = 1e-5

_FIELDS = dict(
    n=1, best_of=None, presence_penalty=0.0, frequency_penalty=0.0, repetition_penalty=1.0,
    temperature=1.0, top_p=1.0, top_k=0, min_p=0.0, seed=None, stop=None, stop_token_ids=None,
    ignore_eos=False, max_tokens=16, min_tokens=0, logprobs=None, prompt_logprobs=None,
    detokenize=True, skip_special_tokens=True, spaces_between_special_tokens=True,
    include_stop_str_in_output=False, truncate_prompt_tokens=None, flat_logprobs=False,
)

MAX_LOGPROBS = 20


class SamplingParams:
    def __init__(self, **kwargs):
        unknown = [k for k in kwargs if k not in _FIELDS]
        if unknown:
            raise TypeError(f"SamplingParams.__init__() got an unexpected keyword argument '{unknown[0]}'")
        for k, v in _FIELDS.items():
            setattr(self, k, kwargs.get(k, v))
        if self.stop is None:
            self.stop = []
        elif isinstance(self.stop, str):
            self.stop = [self.stop]
        else:
            self.stop = list(self.stop)
        if self.stop_token_ids is None:
            self.stop_token_ids = []
        if self.seed == -1:
            self.seed = None
        if self.logprobs is True:
            self.logprobs = 1
        if self.prompt_logprobs is True:
            self.prompt_logprobs = 1
        self._verify()

    def _verify(self):
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}.")
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError(f"temperature must be in [0, 2], got {self.temperature}.")
        if 0 < self.temperature < 0.01:
            self.temperature = 0.01
        if any(s == "" for s in self.stop):
            raise ValueError("stop cannot contain an empty string.")
        if self.stop and not self.detokenize:
            raise ValueError("stop strings are only supported when detokenize is True. Set detokenize=True to use stop.")
        for name in ("logprobs", "prompt_logprobs"):
            v = getattr(self, name)
            if v is not None and v > MAX_LOGPROBS:
                raise ValueError(f"Requested {name} of {v}, which is greater than max allowed: {MAX_LOGPROBS}")
        if self.temperature < _SAMPLING_EPS:
            if self.n > 1:
                raise ValueError(f"n must be 1 when using greedy sampling, got {self.n}.")
            self.top_p = 1.0
            self.top_k = 0
            self.min_p = 0.0

    @property
    def greedy(self):
        return self.temperature < _SAMPLING_EPS

    def to_dict(self):
        return {k: getattr(self, k) for k in _FIELDS}

    def __repr__(self):
        return "SamplingParams(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _FIELDS) + ")"
