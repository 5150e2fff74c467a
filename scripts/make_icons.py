"""Draw the app's PNG icons (home screen, maskable) with Pillow; run once, commit the PNGs.

Usage: pip install pillow && python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND, ACCENT, WHITE = (11, 93, 86), (242, 169, 0), (255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    """A location pin over a dashed road, on the brand colour."""
    scale = 4
    big = size * scale
    img = Image.new("RGB" if maskable else "RGBA", (big, big), BRAND if maskable else (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if not maskable:
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.19, fill=BRAND)
    # Maskable icons keep their drawing inside the central 80 % safe zone.
    inset = 0.1 if maskable else 0.0
    unit = big * (1 - 2 * inset) / 512

    def p(x: float, y: float) -> tuple[float, float]:
        return (big * inset + x * unit, big * inset + y * unit)

    for start in range(96, 416, 76):
        d.line([p(start, 360), p(min(start + 40, 416), 360)], fill=ACCENT, width=int(28 * unit))
    r = 84 * unit
    cx, cy = p(256, 200)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=WHITE, width=int(28 * unit))
    d.line([p(256, 284), p(256, 340)], fill=WHITE, width=int(28 * unit))
    small = 24 * unit
    d.ellipse([cx - small, cy - small, cx + small, cy + small], fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png")
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png")
    draw(180, maskable=True).save(OUT / "apple-touch-icon.png")
    print("icons written to", OUT)
