"""The RAG summary as a chart for the paper: a bar per priority split by status, drawn as a
PNG (Word takes no SVG) with Liberation Sans, and the text alternative that says the same.

Each bar's segments carry their count (and the status's word where it fits) and the legend
names every status, so colour is never the only signal; the numbers are also in the table
beside the chart.
"""

from __future__ import annotations

import base64
import functools
from io import BytesIO
from typing import Any

from tracker.statuses import RAG_COLOURS

FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
BOLD_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
WIDTH = 1600  # pixels: 16 cm at 254 dots per inch, sharp in print
LABEL_WIDTH = 560
ROW_HEIGHT = 64
BAR_HEIGHT = 44
TEXT_SIZE = 26
LEGEND_HEIGHT = 80
MARGIN = 12


def chart_alt_text(content: dict[str, Any]) -> str:
    """The chart in words: every priority's count of actions in each status."""
    statuses = content["statuses"]
    rows = "; ".join(
        f"{row['name']}: "
        + ", ".join(f"{row['counts'][s['key']]} {s['label'].lower()}" for s in statuses)
        for row in content["summary"]["priorities"]
    )
    return (
        f"Bar chart of the actions under each priority by status in "
        f"{content['period']['name']}. {rows}."
    )


def chart_png(content: dict[str, Any]) -> bytes:
    """The chart as PNG bytes."""
    from PIL import Image, ImageDraw

    rows = content["summary"]["priorities"]
    statuses = content["statuses"]
    height = MARGIN * 2 + ROW_HEIGHT * len(rows) + LEGEND_HEIGHT
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    text, bold = _font(FONT), _font(BOLD_FONT)
    bar_left, bar_width = LABEL_WIDTH + MARGIN, WIDTH - LABEL_WIDTH - 2 * MARGIN
    for index, row in enumerate(rows):
        top = MARGIN + index * ROW_HEIGHT
        name = _fitted(draw, row["name"], text, LABEL_WIDTH - MARGIN)
        draw.text((MARGIN, top + ROW_HEIGHT / 2), name, fill="#0b0c0c", font=text, anchor="lm")
        total = row["total"] or 1
        left = float(bar_left)
        for status in statuses:
            count = row["counts"][status["key"]]
            if not count:
                continue
            width = bar_width * count / total
            fill, ink = RAG_COLOURS[status["key"]]
            box = (
                left,
                top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                left + width,
                top + (ROW_HEIGHT + BAR_HEIGHT) / 2,
            )
            draw.rectangle(box, fill=f"#{fill}", outline="#0b0c0c" if fill == "FFFFFF" else None)
            # The status's word too where it fits, so the bar does not rest on colour.
            said = next(
                (
                    words
                    for words in (f"{count} {status['label']}", str(count))
                    if draw.textlength(words, font=bold) + 12 < width
                ),
                None,
            )
            if said:
                centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                draw.text(centre, said, fill=f"#{ink}", font=bold, anchor="mm")
            left += width
    legend_top = MARGIN + len(rows) * ROW_HEIGHT + LEGEND_HEIGHT / 2
    left = float(bar_left)
    for status in statuses:
        fill, _ink = RAG_COLOURS[status["key"]]
        draw.rectangle(
            (left, legend_top - 14, left + 28, legend_top + 14),
            fill=f"#{fill}",
            outline="#0b0c0c",
        )
        draw.text((left + 38, legend_top), status["label"], fill="#0b0c0c", font=text, anchor="lm")
        left += 38 + draw.textlength(status["label"], font=text) + 36
    output = BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def chart_data_uri(content: dict[str, Any]) -> str:
    """The chart as a data: address for the print view and the PDF (no request needed)."""
    return "data:image/png;base64," + base64.b64encode(chart_png(content)).decode("ascii")


@functools.cache
def _font(path: str) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, TEXT_SIZE)
    except OSError:  # the font package is missing: Pillow's own font still draws the words
        return ImageFont.load_default(TEXT_SIZE)


def _fitted(draw: Any, name: str, font: Any, width: int) -> str:
    """The name, cut with an ellipsis if it would run into the bars (the table has it whole)."""
    if draw.textlength(name, font=font) <= width:
        return name
    while name and draw.textlength(name + "…", font=font) > width:
        name = name[:-1]
    return name.rstrip() + "…"
