"""The fake ``vllm.LLM`` (see the package docstring).

Test switches (environment variables):
- ``FAKE_VLLM_RECORD=<file>``: append one JSON line per engine start / generate call (kwargs,
  prompt lengths, sampling params, LoRA request), so tests can check what the worker asked for.
- ``FAKE_VLLM_FAULT=oom``: the engine start fails with a CUDA out-of-memory error.
- ``FAKE_VLLM_FAULT=crash_after=N``: the process dies (exit code 134, like an abort) in the
  (N+1)-th ``generate`` call, after printing an error to stderr.
- ``FAKE_VLLM_DELAY_MS=<n>``: each ``generate`` call sleeps n ms first (a slow engine).
- ``FAKE_VLLM_NO_ENGINE_PROC=1``: do not start the pretend engine-core child process.
- ``FAKE_VLLM_LEAKY_ENGINE=1``: deleting the ``LLM`` does not stop the engine child (only the
  worker's own descendant clean-up can), to test that clean-up.

Like vLLM V1, each engine starts a child process (``fake-vllm-EngineCore_0``); it polls its
parent every 2 s and exits when the parent is gone (real vLLM's engine core also watches its
parent), so a worker that cleans up properly leaves no process behind even before that.
"""
import json
import os
import subprocess
import sys
import time
import weakref

import numpy as np

from vllm._fake_model import LlamaNumpy, log_softmax
from vllm._fake_tokenizer import FakeTokenizer
from vllm.logprobs import Logprob
from vllm.outputs import CompletionOutput, RequestOutput
from vllm.sampling_params import SamplingParams

# The engine stand-in exits once its parent (given on the command line, so a parent that died
# before the child read its ppid is noticed too) is gone.
_ENGINE_CODE = (
    "import os, sys, time\n"
    "ppid = int(sys.argv[2])\n"
    "while os.getppid() == ppid:\n"
    "    time.sleep(0.5)\n"
)


class OutOfMemoryError(RuntimeError):
    """Mimics ``torch.OutOfMemoryError`` (its class name is what callers see)."""


def _record(event):
    path = os.environ.get("FAKE_VLLM_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


def _stop_engine(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except Exception:
            proc.kill()


class _ModelConfig:
    def __init__(self, max_model_len):
        self.max_model_len = max_model_len


class _Engine:
    def __init__(self, max_model_len):
        self.model_config = _ModelConfig(max_model_len)


_generate_calls = 0


class LLM:
    def __init__(
        self,
        model,
        *,
        tokenizer=None,
        tokenizer_mode="auto",
        trust_remote_code=False,
        tensor_parallel_size=1,
        dtype="auto",
        quantization=None,
        revision=None,
        tokenizer_revision=None,
        seed=None,
        gpu_memory_utilization=0.9,
        max_model_len=None,
        max_num_seqs=None,
        enable_lora=False,
        max_lora_rank=16,
        **kwargs,
    ):
        args = dict(
            model=model, tokenizer=tokenizer, tokenizer_mode=tokenizer_mode,
            trust_remote_code=trust_remote_code, tensor_parallel_size=tensor_parallel_size,
            dtype=dtype, quantization=quantization, revision=revision,
            tokenizer_revision=tokenizer_revision, seed=seed,
            gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
            max_num_seqs=max_num_seqs, enable_lora=enable_lora, max_lora_rank=max_lora_rank, **kwargs,
        )
        print(f"INFO [fake-vllm] Initializing an LLM engine with config: {args!r}", flush=True)
        if int(kwargs.get("data_parallel_size", 1) or 1) > 1:
            raise ValueError("data_parallel_size > 1 is not supported by LLM in a single process; use one LLM per data-parallel rank")
        fault = os.environ.get("FAKE_VLLM_FAULT", "")
        if fault == "oom":
            raise OutOfMemoryError(
                "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB "
                "of which 1.05 GiB is free. (fake vllm fault switch)"
            )
        if not os.path.isdir(str(model)) or not os.path.exists(os.path.join(str(model), "config.json")):
            raise OSError(
                f"{model} is not a local folder and is not a valid model identifier listed on "
                "'https://huggingface.co/models' (fake vllm: only local model folders)"
            )
        self._model_dir = str(model)
        self._tokenizer = FakeTokenizer(str(tokenizer or model))
        self._model = LlamaNumpy(self._model_dir)
        derived = self._model.config.get("max_position_embeddings", 2048)
        if max_model_len is None:
            max_model_len = derived
        elif max_model_len > derived and os.environ.get("VLLM_ALLOW_LONG_MAX_MODEL_LEN") != "1":
            raise ValueError(
                f"User-specified max_model_len ({max_model_len}) is greater than the derived max_model_len "
                f"(max_position_embeddings={derived} in model's config.json). To allow overriding this "
                "maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1"
            )
        self.llm_engine = _Engine(int(max_model_len))
        self._seed = 0 if seed is None else int(seed)
        self._enable_lora = bool(enable_lora)
        self._counter = 0
        _record({"event": "init", "kwargs": args})
        if os.environ.get("FAKE_VLLM_NO_ENGINE_PROC") != "1":
            self._engine_proc = subprocess.Popen(
                [sys.executable, "-c", _ENGINE_CODE, "fake-vllm-EngineCore_0", str(os.getpid())],
                stdin=subprocess.DEVNULL,
            )
            if os.environ.get("FAKE_VLLM_LEAKY_ENGINE") != "1":
                weakref.finalize(self, _stop_engine, self._engine_proc)
        print("INFO [fake-vllm] engine ready", flush=True)

    def get_tokenizer(self):
        return self._tokenizer

    # -- generation -------------------------------------------------------------------------
    def generate(
        self,
        prompts=None,
        sampling_params=None,
        *,
        use_tqdm=True,
        lora_request=None,
        priority=None,
        tokenization_kwargs=None,
        **kwargs,
    ):
        global _generate_calls
        if "prompt_token_ids" in kwargs:
            raise TypeError("LLM.generate() got an unexpected keyword argument 'prompt_token_ids'")
        if kwargs:
            raise TypeError(f"LLM.generate() got an unexpected keyword argument '{next(iter(kwargs))}'")
        fault = os.environ.get("FAKE_VLLM_FAULT", "")
        if fault.startswith("crash_after="):
            if _generate_calls >= int(fault.split("=", 1)[1]):
                sys.stderr.write("ERROR [fake-vllm] EngineCore encountered a fatal error (fault switch)\n")
                sys.stderr.write("RuntimeError: CUDA error: an illegal memory access was encountered\n")
                sys.stderr.flush()
                os._exit(134)
        _generate_calls += 1
        delay = os.environ.get("FAKE_VLLM_DELAY_MS")
        if delay:
            time.sleep(int(delay) / 1000.0)
        if isinstance(prompts, (str, dict)):
            prompts = [prompts]
        if prompts and isinstance(prompts[0], int):
            prompts = [prompts]
        if sampling_params is None:
            sampling_params = SamplingParams()
        if isinstance(sampling_params, list):
            if len(sampling_params) != len(prompts):
                raise ValueError("The lengths of prompts and sampling_params must be the same.")
            params = sampling_params
        else:
            params = [sampling_params] * len(prompts)
        if lora_request is not None and not self._enable_lora:
            raise ValueError(f"LoRA is not enabled! Got lora_request {lora_request!r} but enable_lora=False")
        token_prompts = []
        for p in prompts:
            if isinstance(p, str):
                token_prompts.append((p, self._tokenizer.encode(p)))
            elif isinstance(p, dict) and "prompt_token_ids" in p:
                token_prompts.append((p.get("prompt"), list(p["prompt_token_ids"])))
            elif isinstance(p, dict) and "prompt" in p:
                token_prompts.append((p["prompt"], self._tokenizer.encode(p["prompt"])))
            elif isinstance(p, list):
                token_prompts.append((None, list(p)))
            else:
                raise TypeError(f"unsupported prompt type {type(p).__name__}")
        max_len = self.llm_engine.model_config.max_model_len
        for _, ids in token_prompts:
            if len(ids) == 0:
                raise ValueError("The decoder prompt cannot be empty")
            if len(ids) >= max_len:
                extra = " plus the number of requested output tokens (at least 1)" if len(ids) == max_len else ""
                raise ValueError(
                    f"The decoder prompt (length {len(ids)}) is longer than the maximum model length of {max_len}. "
                    f"Make sure that `max_model_len` is no smaller than the number of text tokens{extra}."
                )
            if any(t < 0 or t >= self._model.vocab_size for t in ids):
                raise ValueError(f"Token id out of vocabulary range in prompt {ids[:8]}...")
        _record({
            "event": "generate",
            "prompt_lens": [len(ids) for _, ids in token_prompts],
            "sampling_params": [sp.to_dict() for sp in params],
            "lora_request": None if lora_request is None else [lora_request.lora_name, lora_request.lora_int_id, lora_request.lora_path],
            "use_tqdm": use_tqdm,
        })
        outs = [self._run_one(text, ids, sp, lora_request) for (text, ids), sp in zip(token_prompts, params)]
        if use_tqdm:
            sys.stderr.write(f"Processed prompts: 100%| {len(outs)}/{len(outs)} (fake-vllm)\n")
            sys.stderr.flush()
        return outs

    def _logprob_dict(self, lp_row, actual, k, detokenize):
        order = np.argsort(-lp_row, kind="stable")
        d = {}

        def entry(tok):
            rank = int(np.sum(lp_row > lp_row[tok])) + 1
            dec = self._tokenizer.decode([int(tok)]) if detokenize else None
            return Logprob(logprob=float(lp_row[tok]), rank=rank, decoded_token=dec)

        if actual is not None:
            d[int(actual)] = entry(actual)
        for tok in order[:k]:
            if int(tok) not in d:
                d[int(tok)] = entry(tok)
        return d

    def _run_one(self, text, ids, sp, lora_request):
        request_id = str(self._counter)
        self._counter += 1
        logits, cache = self._model.forward(ids)
        lps = log_softmax(logits)
        prompt_logprobs = None
        if sp.prompt_logprobs is not None:
            prompt_logprobs = [None] + [
                self._logprob_dict(lps[i - 1], ids[i], sp.prompt_logprobs, sp.detokenize) for i in range(1, len(ids))
            ]
        seed = sp.seed if sp.seed is not None else self._seed + int(request_id)
        rng = np.random.default_rng(seed)
        max_len = self.llm_engine.model_config.max_model_len
        budget = min(sp.max_tokens if sp.max_tokens is not None else max_len, max_len - len(ids))
        tok = self._tokenizer
        prompt_text = tok.decode(ids, skip_special_tokens=sp.skip_special_tokens)
        gen, gen_lps, gen_dicts = [], [], []
        text_out, finish, stop_reason = "", "length", None
        row = lps[-1]
        for step in range(budget):
            if sp.greedy:
                nxt = int(np.argmax(row))
            else:
                z = row / sp.temperature
                if sp.top_k and sp.top_k > 0:
                    kth = np.sort(z)[-sp.top_k]
                    z = np.where(z < kth, -np.inf, z)
                p = np.exp(z - z.max())
                p /= p.sum()
                if sp.top_p < 1.0:
                    order = np.argsort(-p)
                    keep = np.cumsum(p[order]) - p[order] < sp.top_p
                    mask = np.zeros_like(p, dtype=bool)
                    mask[order[keep]] = True
                    p = np.where(mask, p, 0.0)
                    p /= p.sum()
                nxt = int(rng.choice(len(p), p=p))
            gen.append(nxt)
            gen_lps.append(float(row[nxt]))
            if sp.logprobs is not None:
                gen_dicts.append(self._logprob_dict(row, nxt, sp.logprobs, sp.detokenize))
            if sp.detokenize:
                text_out = tok.decode(ids + gen, skip_special_tokens=sp.skip_special_tokens)[len(prompt_text):]
            if not sp.ignore_eos and nxt == tok.eos_token_id and len(gen) > sp.min_tokens:
                finish, stop_reason = "stop", None
                break
            if nxt in sp.stop_token_ids and len(gen) > sp.min_tokens:
                finish, stop_reason = "stop", nxt
                break
            hit = None
            for s in sp.stop:
                idx = text_out.find(s)
                if idx >= 0:
                    hit = (s, idx)
                    break
            if hit is not None and len(gen) > sp.min_tokens:
                s, idx = hit
                text_out = text_out[: idx + len(s)] if sp.include_stop_str_in_output else text_out[:idx]
                finish, stop_reason = "stop", s
                break
            if step + 1 < budget:
                logits, cache = self._model.forward([nxt], cache)
                row = log_softmax(logits)[-1]
        out = CompletionOutput(
            index=0,
            text=text_out,
            token_ids=gen,
            cumulative_logprob=sum(gen_lps) if sp.logprobs is not None else None,
            logprobs=gen_dicts if sp.logprobs is not None else None,
            finish_reason=finish,
            stop_reason=stop_reason,
            lora_request=lora_request,
        )
        return RequestOutput(
            request_id=request_id,
            prompt=text,
            prompt_token_ids=list(ids),
            prompt_logprobs=prompt_logprobs,
            outputs=[out],
            lora_request=lora_request,
        )

    def chat(
        self,
        messages,
        sampling_params=None,
        use_tqdm=True,
        lora_request=None,
        chat_template=None,
        chat_template_content_format="auto",
        add_generation_prompt=True,
        continue_final_message=False,
        tools=None,
        chat_template_kwargs=None,
        tokenization_kwargs=None,
        mm_processor_kwargs=None,
    ):
        convs = messages if messages and isinstance(messages[0], list) else [messages]
        prompts = []
        for conv in convs:
            ids = self._tokenizer.apply_chat_template(
                conv, tokenize=True, add_generation_prompt=add_generation_prompt,
                continue_final_message=continue_final_message, chat_template=chat_template,
                **(chat_template_kwargs or {}),
            )
            prompts.append({"prompt_token_ids": ids})
        return self.generate(prompts, sampling_params, use_tqdm=use_tqdm, lora_request=lora_request)
