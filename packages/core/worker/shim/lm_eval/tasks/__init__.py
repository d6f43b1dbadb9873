"""``lm_eval.tasks`` stand-in: a package whose modules are the task folder's own. When a helper
file lies inside an ``…/lm_eval/tasks/`` tree (a copy of lm-eval's task folders), the worker adds
that folder to this package's path, so ``from lm_eval.tasks.mmlu_prox.lang_libs import LANG_LIBS``
imports the copy's module, as it would from the installed package."""
