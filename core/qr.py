"""QR codes drawn as SVG in the page — the showcase's labels, the events projector (the
`qrcode` package computes the modules; no external service, no image files): one <path> of
horizontal runs, crisp at any print size."""

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data: str) -> str:
    """An <svg> element for `data` (escape-free: only digits and fixed markup are written)."""
    qr = qrcode.QRCode(border=2, error_correction=ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" '
        f'shape-rendering="crispEdges" role="img" aria-hidden="true"><path fill="#000" d="{"".join(runs)}"/></svg>'
    )
