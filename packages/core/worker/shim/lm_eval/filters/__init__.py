"""``lm_eval.filters`` stand-in: the filter modules task helpers import (``extraction``,
``transformation``, ``selection``). Pipelines named in YAML are built by the TypeScript harness;
these classes serve helpers that subclass or call them (e.g. bbh's ``ExtendedRegexFilter``)."""
