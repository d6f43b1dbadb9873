"""A float64 numpy forward pass of a HF-layout Llama checkpoint (``model.safetensors``, F32),
sized for the bundled stories260K model: RMSNorm, rotate-half RoPE, GQA attention, SwiGLU,
tied or untied LM head. Computes real logits; used by the fake ``vllm.LLM``."""
import json
import os
import struct

import numpy as np


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise ValueError(f"fake vllm: only F32 tensors are supported ({name} is {meta['dtype']})")
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[base + a : base + b], dtype="<f4").reshape(meta["shape"]).astype(np.float64)
    return out


class LlamaNumpy:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        self.config = cfg
        self.dim = cfg["hidden_size"]
        self.n_layers = cfg["num_hidden_layers"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads", self.n_heads)
        self.head_dim = cfg.get("head_dim") or self.dim // self.n_heads
        self.eps = cfg.get("rms_norm_eps", 1e-5)
        self.theta = cfg.get("rope_theta", 10000.0)
        self.vocab_size = cfg["vocab_size"]
        w = load_safetensors(os.path.join(folder, "model.safetensors"))
        self.w = w
        self.embed = w["model.embed_tokens.weight"]
        self.lm_head = w.get("lm_head.weight", self.embed)
        inv = 1.0 / (self.theta ** (np.arange(0, self.head_dim, 2, dtype=np.float64) / self.head_dim))
        self.inv_freq = inv

    def _rms(self, x, weight):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * weight

    def _rope(self, x, positions):
        # x: [heads, T, head_dim]; HF rotate-half layout
        freqs = np.outer(positions, self.inv_freq)  # [T, hd/2]
        emb = np.concatenate([freqs, freqs], axis=-1)
        cos, sin = np.cos(emb), np.sin(emb)
        half = self.head_dim // 2
        rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
        return x * cos + rot * sin

    def forward(self, ids, cache=None):
        """Logits for every position of ``ids`` given the KV ``cache`` (list per layer of (k, v)
        arrays, or None). Returns (logits [T, vocab], new_cache)."""
        ids = np.asarray(ids, dtype=np.int64)
        past = 0 if cache is None else cache[0][0].shape[1]
        T = len(ids)
        positions = np.arange(past, past + T, dtype=np.float64)
        x = self.embed[ids]
        new_cache = []
        group = self.n_heads // self.n_kv
        scale = 1.0 / np.sqrt(self.head_dim)
        for layer in range(self.n_layers):
            p = f"model.layers.{layer}."
            h = self._rms(x, self.w[p + "input_layernorm.weight"])
            q = (h @ self.w[p + "self_attn.q_proj.weight"].T).reshape(T, self.n_heads, self.head_dim).transpose(1, 0, 2)
            k = (h @ self.w[p + "self_attn.k_proj.weight"].T).reshape(T, self.n_kv, self.head_dim).transpose(1, 0, 2)
            v = (h @ self.w[p + "self_attn.v_proj.weight"].T).reshape(T, self.n_kv, self.head_dim).transpose(1, 0, 2)
            q = self._rope(q, positions)
            k = self._rope(k, positions)
            if cache is not None:
                k = np.concatenate([cache[layer][0], k], axis=1)
                v = np.concatenate([cache[layer][1], v], axis=1)
            new_cache.append((k, v))
            kk = np.repeat(k, group, axis=0)
            vv = np.repeat(v, group, axis=0)
            scores = (q @ kk.transpose(0, 2, 1)) * scale  # [H, T, S]
            S = kk.shape[1]
            mask = np.arange(S)[None, :] > (np.arange(T)[:, None] + past)
            scores = np.where(mask[None], -np.inf, scores)
            scores = scores - scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            att = (probs @ vv).transpose(1, 0, 2).reshape(T, self.n_heads * self.head_dim)
            x = x + att @ self.w[p + "self_attn.o_proj.weight"].T
            h = self._rms(x, self.w[p + "post_attention_layernorm.weight"])
            gate = h @ self.w[p + "mlp.gate_proj.weight"].T
            up = h @ self.w[p + "mlp.up_proj.weight"].T
            act = gate / (1.0 + np.exp(-gate)) * up
            x = x + act @ self.w[p + "mlp.down_proj.weight"].T
        x = self._rms(x, self.w["model.norm.weight"])
        return x @ self.lm_head.T, new_cache


def log_softmax(logits):
    m = logits.max(axis=-1, keepdims=True)
    z = logits - m
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
