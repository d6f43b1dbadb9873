"""``vllm.transformers_utils.tokenizer.get_tokenizer`` (used on the data-parallel path, where the
worker builds no local engine)."""
import os

from vllm._fake_tokenizer import FakeTokenizer


def get_tokenizer(tokenizer_name, *args, tokenizer_mode="auto", trust_remote_code=False, revision=None, **kwargs):
    if not os.path.isdir(str(tokenizer_name)):
        raise OSError(f"fake vllm: tokenizer folder not found: {tokenizer_name}")
    return FakeTokenizer(str(tokenizer_name))
