"""The QR code printed on results and slips holds exactly the modules of the address it encodes."""

from typing import Any

import pytest
import segno

from dossiers.pdf import QrCode


class RecordingCanvas:
    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []

    def setFillColor(self, colour: Any) -> None:  # noqa: N802 - ReportLab's name
        pass

    def rect(self, x: float, y: float, width: float, height: float, stroke: int = 1, fill: int = 0) -> None:
        self.rects.append((x, y, width, height))


@pytest.mark.parametrize(
    "url",
    [
        "https://dichvucong.example.vn/verify/?code=H12.01-261123-0007",
        "/lookup/?code=H12.30-261123-0001&key=ACDEFGHJKM",
    ],
)
def test_the_drawn_qr_code_has_the_modules_of_its_address(url: str) -> None:
    flowable = QrCode(url, size=100.0)
    canvas = RecordingCanvas()
    flowable.canv = canvas
    flowable.draw()

    expected = segno.make(url, error="m").matrix
    border, size = 2, len(expected)
    module = 100.0 / (size + 2 * border)
    drawn = [[0] * size for _ in range(size)]
    for x, y, width, _height in canvas.rects:
        row = round((100.0 - y) / module) - border - 1
        first = round(x / module) - border
        for column in range(first, first + round(width / module)):
            drawn[row][column] = 1
    assert drawn == [list(row) for row in expected]
