"""``extractor view``: extraction outputs as one self-contained HTML page, evidence highlighted.

outputs = load_outputs(["out.jsonl"])
page = render_view(outputs, texts=ArticleTexts.from_files(["seeds/000.txt"]))
"""

from extractor.viewer.render import ArticleTexts, PageSummary, Span, highlight, render_view

__all__ = ["ArticleTexts", "PageSummary", "Span", "highlight", "render_view"]
