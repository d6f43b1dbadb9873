"""Minimal stand-in for the parts of the Python ``lm_eval`` package that task helpers import
(``lm_eval.api.filter.Filter``, the ``lm_eval.api.registry`` decorators). It is put on the path
by lm-eval (TypeScript)'s Python helper worker only when the real ``lm_eval`` is not importable.
"""
__lm_eval_ts_shim__ = True
__version__ = "0.0.0+lm-eval-ts-shim"
