"""Scoring extractions against the gold set, the eval runner behind ``extractor eval``, and its report.

Modules: ``align`` (one-to-one matching of items per type), ``scoring`` (P/R/F1, field accuracy,
grounding, validity), ``stats`` (bootstrap intervals), ``gold`` (loading evals/gold), ``results``
(run results and their JSON), ``runner`` (running prompts and the CI gate), ``timeline_scores`` (the
informational consolidation score against the gold timeline), ``summary_table`` and ``report``
(terminal table and HTML report).
"""

from extractor.evaluation.runner import DEFAULT_THRESHOLD, PipelineCall, arun_eval, run_eval
from extractor.evaluation.scoring import ArticleScore, EvalScores, aggregate, score_article

__all__ = [
    "DEFAULT_THRESHOLD",
    "ArticleScore",
    "EvalScores",
    "PipelineCall",
    "aggregate",
    "arun_eval",
    "run_eval",
    "score_article",
]
