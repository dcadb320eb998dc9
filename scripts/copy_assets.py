"""Copy the pinned npm assets into pakan/static/vendor (not committed; rebuilt by `make`)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "pakan" / "static" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "plotly.js-dist-min/plotly.min.js": "plotly.min.js",
}
FONT_WEIGHTS = ("400", "700")


def main() -> None:
    (VENDOR / "fonts").mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        shutil.copyfile(NODE / source, VENDOR / target)
    font_package = NODE / "@fontsource" / "noto-sans-lao"
    faces = []
    for weight in FONT_WEIGHTS:
        name = f"noto-sans-lao-lao-{weight}-normal.woff2"
        shutil.copyfile(font_package / "files" / name, VENDOR / "fonts" / name)
        faces.append(
            "@font-face{font-family:'Noto Sans Lao';font-style:normal;font-display:swap;"
            f"font-weight:{weight};src:url('fonts/{name}') format('woff2');"
            "unicode-range:U+0E81-0EDF,U+200C-200D,U+25CC;}"
        )
    (VENDOR / "noto-sans-lao.css").write_text("\n".join(faces) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
