"""What a phone reads from a printed PDF: each page rendered by PDFium, its QR codes read by zxing-cpp."""

import pypdfium2
import zxingcpp


def qr_codes(data: bytes, *, dpi: int = 200) -> list[str]:
    """The text of every QR code on every page of the PDF ``data``, page by page."""
    document = pypdfium2.PdfDocument(data)
    try:
        found: list[str] = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil()
            found += [
                code.text
                for code in zxingcpp.read_barcodes(image)
                if code.format == zxingcpp.BarcodeFormat.QRCode
            ]
        return found
    finally:
        document.close()
