"""Drafts as the Editorial Team reads them: Markdown (Jinja2) and Word (python-docx), text and layout
from services/compiler/data/."""
