"""Watermarks on files staff open or download: who (name) and when (Europe/Berlin), on every page of a PDF
(an incremental update with a text stamp, drawn with pyHanko) and across an image (Pillow). A file that cannot
be stamped is not handed out (raises WatermarkError)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _


class WatermarkError(ValueError):
    pass


def label(user, now=None) -> str:
    now = timezone.localtime(now or timezone.now())
    name = (getattr(user, "display_name", "") or user.get_username())[:80]
    return _("Abgerufen von %(name)s am %(date)s") % {
        "name": name,
        "date": now.strftime("%d.%m.%Y, %H:%M Uhr"),
    }


def pdf(data: bytes, text: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStamp, TextStampStyle

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        style = TextStampStyle(
            stamp_text="%(wm)s",
            text_box_style=TextBoxStyle(font_size=8),
            border_width=0,
            background=None,
        )
        pages = int(writer.root["/Pages"]["/Count"])
        for index in range(pages):
            TextStamp(writer, style, text_params={"wm": text}).apply(index, 20, 8)
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:  # a broken or unusual PDF: refuse rather than hand it out unmarked
        raise WatermarkError(_("Die Datei konnte nicht mit einem Wasserzeichen versehen werden.")) from exc
    return out.getvalue()


def image(data: bytes, text: str) -> tuple[bytes, str]:
    from PIL import Image, ImageDraw, ImageFont

    try:
        with Image.open(io.BytesIO(data)) as source:
            picture = source.convert("RGB")
        draw = ImageDraw.Draw(picture)
        size = max(12, picture.width // 50)
        try:
            font = ImageFont.load_default(size=size)
        except TypeError:
            font = ImageFont.load_default()
        step = size * 6
        for y in range(size, picture.height, step):
            draw.text((size, y), text, fill=(200, 0, 0), font=font)
        out = io.BytesIO()
        picture.save(out, format="PNG")
    except Exception as exc:
        raise WatermarkError(_("Die Datei konnte nicht mit einem Wasserzeichen versehen werden.")) from exc
    return out.getvalue(), "image/png"


def mark(data: bytes, content_type: str, user) -> tuple[bytes, str]:
    text = label(user)
    if content_type == "application/pdf" or data[:5] == b"%PDF-":
        return pdf(data, text), "application/pdf"
    if content_type.startswith("image/"):
        return image(data, text)
    raise WatermarkError(_("Diese Dateiart kann nicht mit einem Wasserzeichen versehen werden."))
