"""``resolve_hf_chat_template``: the given template, else the tokenizer's own."""


def resolve_hf_chat_template(tokenizer, chat_template=None, tools=None, *, model_config=None, trust_remote_code=False, **kwargs):
    if chat_template is not None:
        return chat_template
    return getattr(tokenizer, "chat_template", None)
