"""The extraction pipeline: the one place where input, prompt, model and grounding meet."""

from extractor.pipeline.extraction import aextract, article_id_for, extract

__all__ = ["aextract", "article_id_for", "extract"]
