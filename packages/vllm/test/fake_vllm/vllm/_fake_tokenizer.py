"""Stand-in for the HF tokenizer that vLLM's ``LLM.get_tokenizer()`` returns, for the bundled
stories260K model only: it reads ``tokenizer.json`` (the Llama-2 "legacy" layout: Prepend("▁") +
Replace(" ", "▁") normalizer, no pre-tokenizer, BPE with byte fallback, TemplateProcessing that
adds ``<s>``) and ``tokenizer_config.json`` (special tokens, chat template).

Behaviour reproduced from the HF ``tokenizers`` pipeline (what the real tokenizer does):
- added (special) tokens are split out of the text first; every other segment is normalised on
  its own, so text right after ``<s>`` gets its own dummy-prefix ``▁``;
- BPE merges by merge rank (lowest first, leftmost on ties); pieces outside the vocab fall back
  to ``<0xNN>`` byte tokens;
- decode: Replace("▁", " ") → ByteFallback → Fuse → Strip one leading space.
"""
import json
import os


class FakeTokenizer:
    def __init__(self, path):
        self.name_or_path = path
        with open(os.path.join(path, "tokenizer.json"), encoding="utf-8") as f:
            spec = json.load(f)
        cfg_path = os.path.join(path, "tokenizer_config.json")
        cfg = {}
        if os.path.exists(cfg_path):
            with open(cfg_path, encoding="utf-8") as f:
                cfg = json.load(f)
        model = spec["model"]
        if model.get("type") != "BPE" or not model.get("byte_fallback"):
            raise ValueError("fake vllm tokenizer: only BPE with byte_fallback is supported")
        self._vocab = dict(model["vocab"])
        self._inv = {i: s for s, i in self._vocab.items()}
        merges = model["merges"]
        self._ranks = {}
        for r, m in enumerate(merges):
            a, b = m if isinstance(m, list) else m.split(" ", 1)
            self._ranks[(a, b)] = r
        self._added = {t["content"]: t["id"] for t in spec.get("added_tokens", [])}
        self._special_ids = {t["id"] for t in spec.get("added_tokens", []) if t.get("special")}
        self.bos_token = cfg.get("bos_token", "<s>")
        self.eos_token = cfg.get("eos_token", "</s>")
        self.unk_token = cfg.get("unk_token", "<unk>")
        self.pad_token = cfg.get("pad_token")
        self.bos_token_id = self._vocab.get(self.bos_token)
        self.eos_token_id = self._vocab.get(self.eos_token)
        self.unk_token_id = self._vocab.get(self.unk_token)
        self.pad_token_id = self._vocab.get(self.pad_token) if self.pad_token else None
        self.add_bos_token = cfg.get("add_bos_token", True)
        self.chat_template = cfg.get("chat_template")
        self.model_max_length = cfg.get("model_max_length", 1000000000000000019884624838656)
        self._cache = {}

    # -- encoding ---------------------------------------------------------------------------
    def __len__(self):
        return len(self._vocab)

    @property
    def vocab_size(self):
        return len(self._vocab)

    def _split_added(self, text):
        """Splits ``text`` on added tokens (longest first); returns [(is_added, piece)]."""
        out = []
        i = 0
        start = 0
        keys = sorted(self._added, key=len, reverse=True)
        while i < len(text):
            hit = None
            for k in keys:
                if text.startswith(k, i):
                    hit = k
                    break
            if hit is None:
                i += 1
                continue
            if start < i:
                out.append((False, text[start:i]))
            out.append((True, hit))
            i += len(hit)
            start = i
        if start < len(text):
            out.append((False, text[start:]))
        return out

    def _bpe(self, word):
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        syms = list(word)
        while len(syms) > 1:
            best = None
            best_rank = None
            for j in range(len(syms) - 1):
                r = self._ranks.get((syms[j], syms[j + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = j, r
            if best is None:
                break
            syms[best : best + 2] = [syms[best] + syms[best + 1]]
        ids = []
        for s in syms:
            if s in self._vocab:
                ids.append(self._vocab[s])
            else:
                ids.extend(self._vocab["<0x%02X>" % b] for b in s.encode("utf-8"))
        if len(self._cache) < 4096:
            self._cache[word] = ids
        return ids

    def encode(self, text, add_special_tokens=True, **_ignored):
        ids = []
        for is_added, piece in self._split_added(text):
            if is_added:
                ids.append(self._added[piece])
            else:
                # Prepend("▁") then Replace(" ", "▁"): applied to every non-added segment.
                ids.extend(self._bpe("\u2581" + piece.replace(" ", "\u2581")))
        if add_special_tokens and self.add_bos_token and self.bos_token_id is not None:
            ids = [self.bos_token_id] + ids
        return ids

    def __call__(self, text, add_special_tokens=True, **kwargs):
        if isinstance(text, (list, tuple)):
            return {"input_ids": [self.encode(t, add_special_tokens) for t in text]}
        return {"input_ids": self.encode(text, add_special_tokens)}

    # -- decoding ---------------------------------------------------------------------------
    def convert_ids_to_tokens(self, ids):
        return [self._inv.get(i, self.unk_token) for i in ids]

    def decode(self, ids, skip_special_tokens=False, **_ignored):
        if isinstance(ids, int):
            ids = [ids]
        pieces = []
        pending = bytearray()

        def flush():
            if pending:
                try:
                    pieces.append(pending.decode("utf-8"))
                except UnicodeDecodeError:
                    pieces.append("\ufffd" * len(pending))
                pending.clear()

        for i in ids:
            if skip_special_tokens and i in self._special_ids:
                continue
            tok = self._inv.get(i, self.unk_token)
            if len(tok) == 6 and tok.startswith("<0x") and tok.endswith(">"):
                pending.append(int(tok[3:5], 16))
                continue
            flush()
            pieces.append(tok.replace("\u2581", " "))
        flush()
        text = "".join(pieces)
        return text[1:] if text.startswith(" ") else text

    # -- chat templates ---------------------------------------------------------------------
    def apply_chat_template(
        self,
        conversation,
        tokenize=True,
        add_generation_prompt=False,
        continue_final_message=False,
        chat_template=None,
        **kwargs,
    ):
        """HF ``apply_chat_template`` semantics (jinja2 sandbox, trim/lstrip blocks,
        special tokens in the context, ``continue_final_message`` cut)."""
        try:
            import jinja2
            from jinja2.sandbox import ImmutableSandboxedEnvironment
        except ImportError as e:  # pragma: no cover - reported by the tests as a skip
            raise ImportError("fake vllm apply_chat_template needs jinja2") from e
        template = chat_template or self.chat_template
        if template is None:
            raise ValueError("Cannot use chat template functions because tokenizer.chat_template is not set")
        if add_generation_prompt and continue_final_message:
            raise ValueError("continue_final_message and add_generation_prompt are not compatible.")

        def raise_exception(message):
            raise jinja2.exceptions.TemplateError(message)

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = raise_exception
        compiled = env.from_string(template)
        rendered = compiled.render(
            messages=conversation,
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
            unk_token=self.unk_token,
            pad_token=self.pad_token,
            **kwargs,
        )
        if continue_final_message:
            final = conversation[-1]["content"]
            if final.strip() not in rendered:
                raise ValueError("continue_final_message is set but the final message does not appear in the chat after applying the chat template!")
            loc = rendered.rindex(final.strip())
            if rendered[loc : loc + len(final.lstrip())] == final:
                rendered = rendered[: loc + len(final.lstrip())]
            else:
                rendered = rendered[: loc + len(final.strip())]
        if tokenize:
            return self.encode(rendered, add_special_tokens=False)
        return rendered
