"""Rendering an export document to PDF (fpdf2) or DOCX (python-docx), and its
charts (matplotlib, Agg, no pyplot: safe in a worker thread).

The document metadata never names the patient or the therapist: the title is
generic, author and keywords stay empty, dates are the export's own.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from docx import Document as new_docx
from docx.shared import Inches
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.figure import Figure

from db.enums import ExportFormat

META_TITLE = "TherapyBridge export"
META_CREATOR = "TherapyBridge"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MOOD_LABELS = ["Very low", "Low", "Neutral", "Positive", "Very positive"]


@dataclass
class Block:
    kind: str  # heading | text | bullets | table | image
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    png: bytes = b""


@dataclass
class Document:
    title: str
    header: list[tuple[str, str]]
    blocks: list[Block]
    footer: str = "Confidential: contains protected health information."


def render(doc: Document, fmt: ExportFormat) -> bytes:
    """The document as a PDF or DOCX file."""
    return to_pdf(doc) if fmt is ExportFormat.PDF else to_docx(doc)


def to_pdf(doc: Document) -> bytes:
    pdf = FPDF(format="A4")
    # DejaVu (shipped with matplotlib) covers names the PDF core fonts cannot
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(META_TITLE)
    pdf.set_creator(META_CREATOR)
    pdf.set_author("")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    _line(pdf, doc.title, 9)
    pdf.set_font("DejaVu", "", 10)
    for label, value in doc.header:
        _line(pdf, f"{label}: {value}", 6)
    pdf.ln(3)
    for block in doc.blocks:
        if block.kind == "heading":
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 12)
            _line(pdf, block.text, 7)
            pdf.set_font("DejaVu", "", 10)
        elif block.kind == "text":
            _line(pdf, block.text, 5.5)
        elif block.kind == "bullets":
            for item in block.items:
                _line(pdf, f"\u2022 {item}", 5.5)
        elif block.kind == "table":
            with pdf.table(text_align="LEFT", line_height=6) as table:
                for row in block.rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
            pdf.ln(2)
        elif block.kind == "image":
            pdf.image(io.BytesIO(block.png), w=width)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    _line(pdf, doc.footer, 5)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def to_docx(doc: Document) -> bytes:
    out = new_docx()
    props = out.core_properties
    # the template's defaults name python-docx; ours name nobody
    props.title = META_TITLE
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    props.category = ""
    out.add_heading(doc.title, level=0)
    for label, value in doc.header:
        para = out.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(value)
    for block in doc.blocks:
        if block.kind == "heading":
            out.add_heading(block.text, level=1)
        elif block.kind == "text":
            out.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                out.add_paragraph(item, style="List Bullet")
        elif block.kind == "table":
            table = out.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
        elif block.kind == "image":
            out.add_picture(io.BytesIO(block.png), width=Inches(6))
    out.add_paragraph(doc.footer)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def mood_chart(labels: list[str], scores: list[float | None]) -> bytes:
    """A line chart of the weekly average mood (1-5); gaps for empty weeks."""
    fig = Figure(figsize=(7.5, 3), dpi=110)
    ax = fig.subplots()
    values = [math.nan if s is None else s for s in scores]
    ax.plot(range(len(values)), values, marker="o", color="#2f6f9f")
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks(range(1, 6), MOOD_LABELS)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
    ax.set_title("Weekly average mood")
    ax.grid(alpha=0.3)
    return _png(fig)


def topic_chart(topics: list[tuple[str, int]]) -> bytes:
    """A horizontal bar chart of how often each topic came up."""
    fig = Figure(figsize=(7.5, max(2.0, 0.35 * len(topics) + 1)), dpi=110)
    ax = fig.subplots()
    names = [t for t, _ in reversed(topics)]
    counts = [n for _, n in reversed(topics)]
    ax.barh(range(len(names)), counts, color="#6a9f58")
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("Sessions")
    ax.set_title("Topic frequency")
    return _png(fig)


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
