"""``lm_eval.utils`` stand-in: the helpers task folders import from it, with lm-eval's behaviour
(lm_eval/utils.py)."""
import logging
import re

eval_logger = logging.getLogger("lm-eval")


def weighted_f1_score(items):
    """F1 averaged over labels weighted by support, of ``(gold, pred)`` pairs (scikit-learn's
    ``f1_score(average="weighted")``, which must be installed, as lm-eval requires)."""
    from sklearn.metrics import f1_score

    golds = [g for g, _ in items]
    preds = [p for _, p in items]
    return f1_score(golds, preds, average="weighted")


def general_detokenize(string):
    """Joins the spaces a tokenizer put before punctuation and inside quotes and brackets."""
    for before, after in ((" n't", "n't"), (" )", ")"), ("( ", "("), ('" ', '"'), (' "', '"')):
        string = string.replace(before, after)
    return re.sub(r" (['.,])", r"\1", string)
