#!/usr/bin/env python3
"""lm-eval (TypeScript) vLLM worker: drives ``vllm.LLM`` in-process for ``--model vllm``.

Started by packages/vllm/src/worker-process.ts as ``python lm_eval_vllm_worker.py --in-fd 3
--out-fd 4``. The protocol runs over those two extra file descriptors, never over stdout/stderr
(vLLM and native libraries log there; this script also points fd 1 at fd 2 so that nothing a
library prints can reach the channel).

Protocol (version PROTOCOL_VERSION), one JSON object per line, UTF-8:

  worker → parent, unsolicited
    {"type":"hello","protocol":1,"vllm_version":"…","python":"3.11.7","executable":"…","pid":N}
    {"type":"fatal","kind":"import_vllm"|"protocol"|"interrupted","error":{"type","message","traceback"}}
  parent → worker
    {"id":N,"op":"init","protocol":1,"config":{…}}
    {"id":N,"op":"tokenize","texts":[…],"special":[true|false…]}
    {"id":N,"op":"score","prompts":[[ids]…],"ctxlens":[…],"batch_size":0|k}
    {"id":N,"op":"generate","prompts":[[ids]…],"params":[{SamplingParams kwargs}…],"batch_size":0|k}
    {"id":N,"op":"apply_chat_template","messages":[…],"add_generation_prompt":bool}
    {"id":N,"op":"cancel","target":M}            (no reply; stops op M between batches)
    {"id":N,"op":"shutdown"}
  worker → parent, replies
    {"type":"progress","id":N,"start":i,"results":[…]}   (one per finished batch, in request order)
    {"type":"result","id":N,"ok":true,"result":{…}}
    {"type":"result","id":N,"ok":false,"error":{"type","message","kind","traceback"}}

Non-finite floats travel as the strings "-inf", "inf", "nan" (JSON has no such numbers).

The numbers follow lm-eval's vLLM backend (vllm_causallms.py): loglikelihood through
``prompt_logprobs=1`` on token-id prompts, summed from ``ctxlen``; greedy = the argmax of every
position's dict is the actual token; generation through one ``SamplingParams`` per request.
Data parallelism (``data_parallel_size > 1``) uses Ray remote tasks that each build an ``LLM`` on
a round-robin shard (``more_itertools.distribute`` order), as lm-eval does.
"""
import argparse
import gc
import json
import math
import os
import queue
import signal
import sys
import threading
import time
import traceback

PROTOCOL_VERSION = 1


def _import_base():
    """The shared worker plumbing (channel, process hygiene) ships with @lm-eval/core; its folder
    is passed as ``--lib-dir``."""
    lib = None
    for i, a in enumerate(sys.argv):
        if a == "--lib-dir" and i + 1 < len(sys.argv):
            lib = sys.argv[i + 1]
        elif a.startswith("--lib-dir="):
            lib = a.split("=", 1)[1]
    if lib:
        sys.path.insert(0, lib)
    try:
        import lm_eval_worker_base
    finally:
        if lib:
            sys.path.remove(lib)
    return lm_eval_worker_base


base = _import_base()
send = base.send


# ---------------------------------------------------------------------------------------------
# values and errors
# ---------------------------------------------------------------------------------------------
def num(x):
    """A float for JSON: finite values as numbers, others as strings."""
    x = float(x)
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return "nan"
    return "inf" if x > 0 else "-inf"


def classify_error(exc, phase=None):
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    if "out of memory" in low or type(exc).__name__ == "OutOfMemoryError" or "no available memory for the cache blocks" in low or (
        "kv cache" in low and "memory" in low
    ):
        return "oom"
    if "longer than the maximum model length" in low or "maximum context length" in low:
        return "context_length"
    if phase == "init" and (
        isinstance(exc, (FileNotFoundError,))
        or "is not a local folder" in low
        or "not a valid model identifier" in low
        or "does not appear to have a file named" in low
        or "repository not found" in low
        or "repositorynotfounderror" in low
        or "404 client error" in low
    ):
        return "model_not_found"
    if isinstance(exc, OSError) and phase == "init":
        return "model_not_found"
    return "error"


# ---------------------------------------------------------------------------------------------
# the backend (mirrors lm-eval's VLLM class)
# ---------------------------------------------------------------------------------------------
def _distribute(n, items):
    """``more_itertools.distribute``: item i goes to bucket i % n."""
    return [items[i::n] for i in range(n)]


def _undistribute(buckets):
    """lm-eval ``undistribute``: re-interleave round-robin buckets into the original order."""
    out = []
    longest = max((len(b) for b in buckets), default=0)
    for i in range(longest):
        for b in buckets:
            if i < len(b):
                out.append(b[i])
    return out


def _tokens_prompt(ids):
    try:
        from vllm.inputs import TokensPrompt
    except ImportError:  # pragma: no cover - very old releases
        try:
            from vllm import TokensPrompt
        except ImportError:
            return {"prompt_token_ids": ids}
    return TokensPrompt(prompt_token_ids=ids)


def _run_inference_one_model(model_args, sampling_params, requests, lora_request):
    """One data-parallel replica (a Ray task): build an engine on this shard and generate."""
    from vllm import LLM

    llm = LLM(**model_args)
    return llm.generate(
        [_tokens_prompt(r) for r in requests],
        sampling_params=sampling_params,
        lora_request=lora_request,
    )


class Backend:
    def __init__(self, config):
        import vllm
        from vllm import SamplingParams

        self.SamplingParams = SamplingParams
        self.vllm_version = getattr(vllm, "__version__", None) or _dist_version("vllm")
        self.config = config
        pretrained = config["pretrained"]
        self.data_parallel_size = int(config.get("data_parallel_size") or 1)
        max_model_len = config.get("max_model_len")
        # Constructor arguments exactly as lm-eval passes them (latest: no swap_space).
        self.model_args = {
            "model": pretrained,
            "gpu_memory_utilization": float(config.get("gpu_memory_utilization", 0.9)),
            "revision": config.get("revision"),
            "dtype": config.get("dtype", "auto"),
            "tokenizer": config.get("tokenizer"),
            "tokenizer_mode": config.get("tokenizer_mode", "auto"),
            "tokenizer_revision": config.get("tokenizer_revision"),
            "trust_remote_code": bool(config.get("trust_remote_code", False)),
            "tensor_parallel_size": int(config.get("tensor_parallel_size", 1)),
            "max_model_len": int(max_model_len) if max_model_len else None,
            "max_num_seqs": config.get("max_num_seqs"),
            "quantization": config.get("quantization"),
            "seed": int(config.get("seed", 1234)),
            "enable_lora": bool(config.get("lora_local_path")),
            "max_lora_rank": int(config.get("max_lora_rank", 16)),
        }
        self.model_args.update(config.get("extra") or {})
        self.llm = None
        if self.data_parallel_size <= 1:
            from vllm import LLM

            self.llm = LLM(**self.model_args)
            self.tokenizer = self.llm.get_tokenizer()
            self.engine_max_model_len = int(self.llm.llm_engine.model_config.max_model_len)
        else:
            import ray  # noqa: F401  (fail early, with a clear error, if Ray is missing)

            # lm-eval: replicas are Ray tasks; each engine runs its own Ray executor.
            self.model_args["distributed_executor_backend"] = "ray"
            from vllm.transformers_utils.tokenizer import get_tokenizer

            self.tokenizer = get_tokenizer(
                config.get("tokenizer") or pretrained,
                tokenizer_mode=config.get("tokenizer_mode", "auto"),
                trust_remote_code=bool(config.get("trust_remote_code", False)),
                revision=config.get("tokenizer_revision"),
            )
            self.engine_max_model_len = None
        self.config_max_length = _config_max_length(pretrained, config, self.tokenizer)

        add_bos = config.get("add_bos_token")
        if "gemma" in str(pretrained).lower():
            add_bos = True  # lm-eval: Gemma models underperform without BOS
        self.add_bos_token = add_bos

        self.lora_request = None
        if config.get("lora_local_path"):
            from vllm.lora.request import LoRARequest

            self.lora_request = LoRARequest("finetuned", 1, config["lora_local_path"])

        self.chat_template = self._resolve_chat_template()
        self.chat_template_args = dict(config.get("chat_template_args") or {})
        if "enable_thinking" in self.chat_template_args:
            self.enable_thinking = self.chat_template_args.pop("enable_thinking")
        else:
            self.enable_thinking = config.get("enable_thinking")

    def _resolve_chat_template(self):
        tok = self.tokenizer
        try:
            from vllm.entrypoints.chat_utils import resolve_hf_chat_template
        except Exception:
            return getattr(tok, "chat_template", None)
        import inspect

        try:
            params = inspect.signature(resolve_hf_chat_template).parameters
            kwargs = {}
            for name, value in (("tokenizer", tok), ("chat_template", None), ("tools", None)):
                if name in params:
                    kwargs[name] = value
            if "model_config" in params and self.llm is not None:
                kwargs["model_config"] = self.llm.llm_engine.model_config
            for spelling in ("trust_remote_code", "trsut_remote_code"):
                if spelling in params:
                    kwargs[spelling] = bool(self.config.get("trust_remote_code", False))
            resolved = resolve_hf_chat_template(**kwargs)
        except Exception as e:  # resolution is best effort, as in lm-eval
            sys.stderr.write(f"[lm-eval vllm worker] chat template resolution failed: {e!r}\n")
            resolved = None
        return resolved if resolved is not None else getattr(tok, "chat_template", None)

    # -- info ---------------------------------------------------------------------------------
    def info(self):
        tok = self.tokenizer
        eos_id = getattr(tok, "eos_token_id", None)
        pad_token, pad_id = _pad_token(tok)
        template = self.chat_template
        return {
            "protocol": PROTOCOL_VERSION,
            "vllm_version": self.vllm_version,
            "engine_max_model_len": self.engine_max_model_len,
            "config_max_length": self.config_max_length,
            "data_parallel_size": self.data_parallel_size,
            "add_bos_token": self.add_bos_token,
            "tokenization": "worker:vllm",
            "tokenizer": {
                "name_or_path": str(getattr(tok, "name_or_path", self.config.get("tokenizer") or self.config["pretrained"])),
                "bos_token": getattr(tok, "bos_token", None),
                "bos_token_id": getattr(tok, "bos_token_id", None),
                "eos_token": getattr(tok, "eos_token", None),
                "eos_token_id": eos_id,
                "eos_text": tok.decode([eos_id]) if eos_id is not None else None,
                "pad_token": pad_token,
                "pad_token_id": pad_id,
                "unk_token": getattr(tok, "unk_token", None),
                "chat_template": template if isinstance(template, (str, dict)) else None,
            },
        }

    # -- tokenisation -------------------------------------------------------------------------
    def encode(self, text, policy):
        """The one tokenisation policy (lm-eval latest): ``policy`` False → no special tokens;
        True → special tokens per add_bos_token (None = the tokenizer's default), except that a
        text already starting with the BOS string never gets another one."""
        tok = self.tokenizer
        if not policy:
            add = False
        else:
            add = self.add_bos_token is not False
            bos = getattr(tok, "bos_token", None)
            if bos and text.startswith(bos):
                add = False
        return list(tok.encode(text, add_special_tokens=add))

    # -- model calls --------------------------------------------------------------------------
    def model_generate(self, prompts, sampling_params, use_tqdm):
        if self.data_parallel_size > 1:
            import ray

            remote_fn = ray.remote(_run_inference_one_model)
            shards = _distribute(self.data_parallel_size, prompts)
            params = _distribute(self.data_parallel_size, sampling_params)
            refs = [
                remote_fn.remote(self.model_args, sp, req, self.lora_request)
                for req, sp in zip(shards, params)
                if req
            ]
            results = ray.get(refs)
            # lm-eval: shut Ray down after every call to avoid hangs on the next one.
            ray.shutdown()
            results = results + [[] for _ in range(len(shards) - len(results))]
            return _undistribute(results)
        return self.llm.generate(
            [_tokens_prompt(p) for p in prompts],
            sampling_params=sampling_params,
            use_tqdm=use_tqdm,
            lora_request=self.lora_request,
        )

    def score_batch(self, prompts, ctxlens, use_tqdm):
        sp = self.SamplingParams(temperature=0, prompt_logprobs=1, max_tokens=1, detokenize=False)
        outputs = self.model_generate(prompts, [sp] * len(prompts), use_tqdm)
        return [parse_logprobs(p, o, c) for p, o, c in zip(prompts, outputs, ctxlens)]

    def generate_batch(self, prompts, params, use_tqdm):
        sps = [self.SamplingParams(**p) for p in params]
        outputs = self.model_generate(prompts, sps, use_tqdm)
        res = []
        for o in outputs:
            c = o.outputs[0]
            res.append({
                "text": c.text,
                "finish_reason": c.finish_reason,
                "stop_reason": c.stop_reason if isinstance(c.stop_reason, (str, int)) or c.stop_reason is None else str(c.stop_reason),
                "n_tokens": len(c.token_ids),
            })
        return res

    def apply_chat_template(self, messages, add_generation_prompt):
        import jinja2

        kwargs = dict(
            tokenize=False,
            add_generation_prompt=add_generation_prompt,
            continue_final_message=not add_generation_prompt,
            chat_template=self.chat_template,
            **self.chat_template_args,
        )
        if self.enable_thinking is not None:
            kwargs["enable_thinking"] = self.enable_thinking
        try:
            return self.tokenizer.apply_chat_template(messages, **kwargs)
        except jinja2.exceptions.TemplateError:
            sys.stderr.write("[lm-eval vllm worker] chat template failed; retrying without system messages\n")
            return self.tokenizer.apply_chat_template([m for m in messages if m.get("role") != "system"], **kwargs)

    def close(self):
        llm, self.llm = self.llm, None
        if llm is not None:
            try:
                shutdown = getattr(getattr(llm, "llm_engine", None), "shutdown", None)
                if callable(shutdown):
                    shutdown()
            except Exception:
                pass
            del llm
        gc.collect()
        if "ray" in sys.modules:
            try:
                ray = sys.modules["ray"]
                if ray.is_initialized():
                    ray.shutdown()
            except Exception:
                pass


def parse_logprobs(tokens, output, ctxlen):
    """lm-eval ``_parse_logprobs``: Σ logprob of ``tokens[ctxlen:]`` and whether each is the
    argmax of its position's dict (dict values are ``Logprob`` objects or, before vLLM ~0.3.3,
    bare floats)."""
    dicts = [
        None if d is None else {tok: getattr(lp, "logprob", lp) for tok, lp in d.items()}
        for d in output.prompt_logprobs
    ]
    total = sum(d.get(t) for t, d in zip(tokens[ctxlen:], dicts[ctxlen:]))
    greedy = True
    for t, d in zip(tokens[ctxlen:], dicts[ctxlen:]):
        if d:
            if max(d, key=d.get) != t:
                greedy = False
                break
    return [num(total), greedy]


def _pad_token(tok):
    """lm-eval ``configure_pad_token`` (what it reports): pad ← unk ← eos."""
    pad = getattr(tok, "pad_token", None)
    if pad:
        return pad, getattr(tok, "pad_token_id", None)
    unk = getattr(tok, "unk_token", None)
    if unk:
        return unk, getattr(tok, "unk_token_id", None)
    eos = getattr(tok, "eos_token", None)
    if eos:
        return eos, getattr(tok, "eos_token_id", None)
    return None, None


def _config_max_length(pretrained, config, tokenizer):
    """lm-eval's data-parallel ``max_length``: config n_positions / max_position_embeddings /
    n_ctx, else the tokenizer's model_max_length (unless the 'infinite' sentinel), else 2048."""
    cfg = None
    try:
        from transformers import AutoConfig

        cfg = AutoConfig.from_pretrained(pretrained, trust_remote_code=bool(config.get("trust_remote_code")), revision=config.get("revision"))
        cfg = cfg.to_dict() if hasattr(cfg, "to_dict") else vars(cfg)
    except Exception:
        path = os.path.join(str(pretrained), "config.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
    if cfg:
        for attr in ("n_positions", "max_position_embeddings", "n_ctx"):
            if attr in cfg and cfg[attr] is not None:
                return int(cfg[attr])
    mml = getattr(tokenizer, "model_max_length", None)
    if mml is not None:
        if mml == 1000000000000000019884624838656:
            return 2048
        return int(mml)
    return 2048


def _dist_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# main loop
# ---------------------------------------------------------------------------------------------
def _batches(n, batch_size):
    if not batch_size or batch_size <= 0:
        yield 0, n
        return
    for start in range(0, n, batch_size):
        yield start, min(n, start + batch_size)


class Cancelled(Exception):
    @property
    def payload(self):
        return {"type": "Cancelled", "message": str(self), "kind": "cancelled", "traceback": ""}


def handle(backend_box, msg):
    op = msg.get("op")
    req_id = msg.get("id")
    backend = backend_box.get("backend")
    if op == "init":
        if msg.get("protocol") != PROTOCOL_VERSION:
            raise ValueError(f"protocol mismatch: parent speaks {msg.get('protocol')}, worker speaks {PROTOCOL_VERSION}")
        if backend is not None:
            raise ValueError("init was already done")
        try:
            backend_box["backend"] = Backend(msg["config"])
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            e.payload = base.error_payload(e, classify_error(e, "init"))
            raise
        return backend_box["backend"].info()
    if op == "shutdown":
        return {}
    if backend is None:
        raise ValueError(f"op {op!r} before init")
    if op == "tokenize":
        texts, special = msg["texts"], msg["special"]
        return {"ids": [backend.encode(t, s) for t, s in zip(texts, special)]}
    if op == "apply_chat_template":
        return {"text": backend.apply_chat_template(msg["messages"], bool(msg["add_generation_prompt"]))}
    if op in ("score", "generate"):
        prompts = msg["prompts"]
        batch_size = int(msg.get("batch_size") or 0)
        use_tqdm = batch_size <= 0  # lm-eval shows vLLM's progress bar only with batch_size=auto
        done = 0
        for start, end in _batches(len(prompts), batch_size):
            if base.is_cancelled(req_id):
                raise Cancelled(f"request {req_id} cancelled after {done} of {len(prompts)} items")
            if op == "score":
                results = backend.score_batch(prompts[start:end], msg["ctxlens"][start:end], use_tqdm)
            else:
                results = backend.generate_batch(prompts[start:end], msg["params"][start:end], use_tqdm)
            send({"type": "progress", "id": req_id, "start": start, "results": results})
            done = end
        return {"count": done}
    raise ValueError(f"unknown op {op!r}")


def main():
    args = base.parse_args(__doc__.split("\n", 1)[0])
    if not base.setup(args, "lm-eval vllm worker"):
        sys.exit(1)

    try:
        import vllm
    except BaseException as e:  # noqa: BLE001 - report any import failure
        if isinstance(e, KeyboardInterrupt):
            raise
        send({
            "type": "fatal",
            "kind": "import_vllm",
            "executable": sys.executable,
            "error": {"type": type(e).__name__, "message": str(e), "traceback": traceback.format_exc(limit=20)},
        })
        sys.stderr.write(f"[lm-eval vllm worker] import vllm failed with {sys.executable}: {e!r}\n")
        return 3

    send({
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "vllm_version": getattr(vllm, "__version__", None) or _dist_version("vllm"),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "pid": os.getpid(),
    })

    box = {"backend": None}

    def close_backend():
        backend = box.get("backend")
        if backend is not None:
            backend.close()

    code = base.serve(args, lambda msg: handle(box, msg), on_close=close_backend, error_kind=classify_error)
    # os._exit: skip interpreter teardown (vLLM's atexit hooks may block on dead engines).
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
