"""The QR code on each page of a certificate (R-10.2.1: the public register's address, where the
certificate's true status is read).

Encoded once per address with reportlab's own encoder and drawn as one filled path of dark runs, a
rectangle per run of a row. reportlab's QrCodeWidget encoded the code twice per page and drew each run as a
shape of its own: about 90 % of a certificate's render time (issue 17).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@lru_cache(maxsize=64)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of ``text``'s QR code, row by row from the top, at error
    correction level L (the level reportlab's widget used)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    code.addData(text)
    code.make()
    return tuple(tuple(bool(cell) for cell in row) for row in code.modules)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw ``text``'s code in the square of side ``size`` whose lower left corner is (x, y), quiet zone
    included."""
    modules = qr_modules(text)
    box = size / (len(modules) + 2 * QUIET_ZONE)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        top = y + size - (r + QUIET_ZONE + 1) * box
        column = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                path.rect(x + (column + QUIET_ZONE) * box, top, count * box, box)
            column += count
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
