"""Draw the brand images in custom_components/micboard/brand/.

A handheld wireless microphone with radio arcs on a transparent background; the logo adds
the word "Micboard". Shapes are drawn 4 to 8 times larger and scaled down, so edges are
antialiased.
Run with the project's venv: .venv/bin/python scripts/make_brand.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "micboard" / "brand"
COLOUR = (3, 169, 244)  # Home Assistant blue, #03a9f4
WORK = 2048  # side of the square the mark is drawn on, before trimming


def mark_mask() -> Image.Image:
    """The microphone and its radio arcs as an alpha mask, trimmed to its bounding box."""
    mask = Image.new("L", (WORK, WORK), 0)
    draw = ImageDraw.Draw(mask)

    def px(value: float) -> float:
        return value * WORK

    head_x, head_y, head_r = px(0.5), px(0.33), px(0.165)

    # Radio arcs either side of the grille, with round ends.
    arc_width = px(0.045)
    for radius in (px(0.265), px(0.365)):
        box = (head_x - radius, head_y - radius, head_x + radius, head_y + radius)
        for start, end in ((-38, 38), (142, 218)):
            draw.arc(box, start, end, fill=255, width=round(arc_width))
            for angle in (start, end):
                middle = radius - arc_width / 2
                end_x = head_x + middle * math.cos(math.radians(angle))
                end_y = head_y + middle * math.sin(math.radians(angle))
                draw.ellipse(
                    (
                        end_x - arc_width / 2,
                        end_y - arc_width / 2,
                        end_x + arc_width / 2,
                        end_y + arc_width / 2,
                    ),
                    fill=255,
                )

    # Handle: tapering body with a rounded end, below a collar.
    body_top, body_bottom = px(0.575), px(0.9)
    top_half, bottom_half = px(0.105), px(0.062)
    draw.polygon(
        [
            (head_x - top_half, body_top),
            (head_x + top_half, body_top),
            (head_x + bottom_half, body_bottom),
            (head_x - bottom_half, body_bottom),
        ],
        fill=255,
    )
    draw.ellipse(
        (
            head_x - bottom_half,
            body_bottom - bottom_half,
            head_x + bottom_half,
            body_bottom + bottom_half,
        ),
        fill=255,
    )
    collar_half = px(0.128)
    draw.rounded_rectangle(
        (head_x - collar_half, px(0.47), head_x + collar_half, px(0.55)),
        radius=px(0.02),
        fill=255,
    )

    # Grille: a ball whose inner part is a diamond mesh.
    draw.ellipse((head_x - head_r, head_y - head_r, head_x + head_r, head_y + head_r), fill=255)
    mesh = Image.new("L", (WORK, WORK), 0)
    mesh_draw = ImageDraw.Draw(mesh)
    inner_r = head_r - px(0.03)
    mesh_draw.ellipse(
        (head_x - inner_r, head_y - inner_r, head_x + inner_r, head_y + inner_r), fill=255
    )
    wires = Image.new("L", (WORK, WORK), 0)
    wires_draw = ImageDraw.Draw(wires)
    spacing, wire = px(0.058), round(px(0.02))
    offset = -2 * head_r
    while offset <= 2 * head_r:
        for slope in (1, -1):
            wires_draw.line(
                (
                    head_x + offset - 2 * head_r,
                    head_y - slope * 2 * head_r,
                    head_x + offset + 2 * head_r,
                    head_y + slope * 2 * head_r,
                ),
                fill=255,
                width=wire,
            )
        offset += spacing
    holes = ImageChops.subtract(mesh, wires)
    mask = ImageChops.subtract(mask, holes)

    # A gap between collar and handle, and the power-switch slot, show through.
    draw = ImageDraw.Draw(mask)
    draw.rectangle((head_x - collar_half, px(0.55), head_x + collar_half, px(0.575)), fill=0)
    draw.rounded_rectangle(
        (head_x - px(0.022), px(0.63), head_x + px(0.022), px(0.71)), radius=px(0.022), fill=0
    )
    bbox = mask.getbbox()
    assert bbox is not None
    return mask.crop(bbox)


def word_mask(height: int) -> Image.Image:
    """The word "Micboard" in Pillow's bundled font, emboldened, trimmed to its ink."""
    font = ImageFont.load_default(size=height)
    stroke = max(1, height // 30)
    left, top, right, bottom = (
        math.ceil(edge) for edge in font.getbbox("Micboard", stroke_width=stroke)
    )
    mask = Image.new("L", (right - left + 4 * stroke, bottom - top + 4 * stroke), 0)
    ImageDraw.Draw(mask).text(
        (2 * stroke - left, 2 * stroke - top),
        "Micboard",
        font=font,
        fill=255,
        stroke_width=stroke,
        stroke_fill=255,
    )
    bbox = mask.getbbox()
    assert bbox is not None
    return mask.crop(bbox)


def coloured(mask: Image.Image) -> Image.Image:
    image = Image.new("RGBA", mask.size, (*COLOUR, 0))
    image.putalpha(mask)
    return image


def square(mask: Image.Image, margin: float = 0.02) -> Image.Image:
    """Centre a trimmed mask on a square canvas with a small margin."""
    side = round(max(mask.size) * (1 + 2 * margin))
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(mask, ((side - mask.width) // 2, (side - mask.height) // 2))
    return canvas


def logo_mask(mark: Image.Image) -> Image.Image:
    """The mark with the word to its right, the word's height about 40 % of the mark's."""
    word = word_mask(round(mark.height * 0.42))
    gap = round(mark.height * 0.12)
    canvas = Image.new("L", (mark.width + gap + word.width, mark.height), 0)
    canvas.paste(mark, (0, 0))
    canvas.paste(word, (mark.width + gap, (mark.height - word.height) // 2))
    return canvas


def save(mask: Image.Image, height: int, name: str) -> None:
    width = round(mask.width * height / mask.height)
    path = BRAND / name
    coloured(mask).resize((width, height), Image.Resampling.LANCZOS).save(path, optimize=True)
    print(f"wrote {path.relative_to(BRAND.parent.parent.parent)} ({width}x{height})")


def main() -> None:
    BRAND.mkdir(parents=True, exist_ok=True)
    mark = mark_mask()
    icon = square(mark)
    save(icon, 256, "icon.png")
    save(icon, 512, "icon@2x.png")
    logo = logo_mask(mark)
    save(logo, 256, "logo.png")
    save(logo, 512, "logo@2x.png")


if __name__ == "__main__":
    main()
