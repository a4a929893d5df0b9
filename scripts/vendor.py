"""Vendor the front-end packages into the source tree (`make vendor`).

npm is used only as a download tool: each package is fetched with `npm pack` at a pinned version into a
temporary folder, its tarball is checked against the pinned sha512 integrity, and only the files the
platform needs are copied, together with their licence texts:

* htmx.org        -> src/amtsweg/static/vendor/htmx/
* @kern-ux/native -> src/amtsweg/static/vendor/kern/   (CSS + the Fira Sans faces that fira-sans.css uses)
* leaflet         -> src/amtsweg/static/vendor/leaflet/
* axe-core        -> tests/e2e/vendor/axe-core/         (tests only, never served)

The copied files are committed; run this script again only to change a version. No bundler, no node_modules.

    .venv/bin/python scripts/vendor.py           # (re)vendor everything
    .venv/bin/python scripts/vendor.py --check   # compare the committed files with the pinned packages
"""

from __future__ import annotations

import argparse
import base64
import filecmp
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_VENDOR = ROOT / "src" / "amtsweg" / "static" / "vendor"
TEST_VENDOR = ROOT / "tests" / "e2e" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # sha512 from `npm view NAME@VERSION dist.integrity`
    licence: str
    dest: Path
    # (path inside the package, path inside dest); a path ending in "/" copies a whole folder
    files: tuple[tuple[str, str], ...]
    purpose: str
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # generated files: name -> text


# SIL Open Font License 1.1, verbatim. @kern-ux/native ships the Fira Sans fonts but no licence text for them.
OFL_1_1 = """\
-----------------------------------------------------------
SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007
-----------------------------------------------------------

PREAMBLE
The goals of the Open Font License (OFL) are to stimulate worldwide
development of collaborative font projects, to support the font creation
efforts of academic and linguistic communities, and to provide a free and
open framework in which fonts may be shared and improved in partnership
with others.

The OFL allows the licensed fonts to be used, studied, modified and
redistributed freely as long as they are not sold by themselves. The
fonts, including any derivative works, can be bundled, embedded,
redistributed and/or sold with any software provided that any reserved
names are not used by derivative works. The fonts and derivatives,
however, cannot be released under any other type of license. The
requirement for fonts to remain under this license does not apply
to any document created using the fonts or their derivatives.

DEFINITIONS
"Font Software" refers to the set of files released by the Copyright
Holder(s) under this license and clearly marked as such. This may
include source files, build scripts and documentation.

"Reserved Font Name" refers to any names specified as such after the
copyright statement(s).

"Original Version" refers to the collection of Font Software components as
distributed by the Copyright Holder(s).

"Modified Version" refers to any derivative made by adding to, deleting,
or substituting -- in part or in whole -- any of the components of the
Original Version, by changing formats or by porting the Font Software to a
new environment.

"Author" refers to any designer, engineer, programmer, technical
writer or other person who contributed to the Font Software.

PERMISSION & CONDITIONS
Permission is hereby granted, free of charge, to any person obtaining
a copy of the Font Software, to use, study, copy, merge, embed, modify,
redistribute, and sell modified and unmodified copies of the Font
Software, subject to the following conditions:

1) Neither the Font Software nor any of its individual components,
in Original or Modified Versions, may be sold by itself.

2) Original or Modified Versions of the Font Software may be bundled,
redistributed and/or sold with any software, provided that each copy
contains the above copyright notice and this license. These can be
included either as stand-alone text files, human-readable headers or
in the appropriate machine-readable metadata fields within text or
binary files as long as those fields can be easily viewed by the user.

3) No Modified Version of the Font Software may use the Reserved Font
Name(s) unless explicit written permission is granted by the corresponding
Copyright Holder. This restriction only applies to the primary font name as
presented to the users.

4) The name(s) of the Copyright Holder(s) or the Author(s) of the Font
Software shall not be used to promote, endorse or advertise any
Modified Version, except to acknowledge the contribution(s) of the
Copyright Holder(s) and the Author(s) or with their explicit written
permission.

5) The Font Software, modified or unmodified, in part or in whole,
must be distributed entirely under this license, and must not be
distributed under any other license. The requirement for fonts to
remain under this license does not apply to any document created
using the Font Software.

TERMINATION
This license becomes null and void if any of the above conditions are
not met.

DISCLAIMER
THE FONT SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT
OF COPYRIGHT, PATENT, TRADEMARK, OR OTHER RIGHT. IN NO EVENT SHALL THE
COPYRIGHT HOLDER BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
INCLUDING ANY GENERAL, SPECIAL, INDIRECT, INCIDENTAL, OR CONSEQUENTIAL
DAMAGES, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
FROM, OUT OF THE USE OR INABILITY TO USE THE FONT SOFTWARE OR FROM
OTHER DEALINGS IN THE FONT SOFTWARE.
"""

# Copyright and trademark as recorded in the fonts' own name tables (FiraSans-*.woff2, version 4.106).
FIRA_OFL = (
    "Fira Sans (fonts/fira-sans/*.woff2), vendored from @kern-ux/native\n"
    "\n"
    "Digitized data copyright (c) 2012-2015, The Mozilla Foundation and Telefonica S.A.\n"
    "Designed by Carrois Corporate GbR & Edenspiekermann AG.\n"
    "Fira Sans is a trademark of The Mozilla Corporation.\n"
    "\n"
    "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
    "This license is copied below, and is also available with a FAQ at:\n"
    "https://openfontlicense.org\n"
    "\n" + OFL_1_1
)

KERN_FONT_CSS = "dist/fonts/fira-sans.css"

PACKAGES = (
    Package(
        name="htmx.org",
        version="4.0.1",
        integrity="sha512-oF7JgXhDW9UXCy/k1ZYFUQgzu/rm19ORWPSPNL91vPluB2PB9+MV55tyQdH/w7o2EAbTYUG5SDW1R60mdkdqGg==",
        licence="0BSD",
        dest=STATIC_VENDOR / "htmx",
        files=(("dist/htmx.min.js", "htmx.min.js"), ("LICENSE", "LICENSE")),
        purpose="partial page updates (hx-* attributes)",
    ),
    Package(
        name="@kern-ux/native",
        version="2.7.2",
        integrity="sha512-TN0Mqbasp7S1IOqurXickde8MDj5hIcgT4s3f1i33wyv2iVgA1dTO/FoQyi6rgM9KYTYkIthl9k72g7fBUUvHg==",
        licence="EUPL-1.2 (code), OFL-1.1 (Fira Sans fonts)",
        dest=STATIC_VENDOR / "kern",
        files=(
            ("dist/kern.min.css", "kern.min.css"),
            (KERN_FONT_CSS, "fonts/fira-sans.css"),
            # the woff2 files that fira-sans.css references are added by _kern_font_files()
            ("LICENSE.md", "LICENSE.md"),
        ),
        purpose="KERN UX design system of the German administration: CSS and the Fira Sans font",
        notes=(
            "`dist/js/kern-kopfzeile.js` is left out on purpose: the web component writes an inline "
            "`<style>` into its shadow root, which our CSP (`style-src 'self'`) blocks. The Kopfzeile is "
            "written as plain markup with the `kern-kopfzeile` classes instead. Noto Sans and the unused "
            "Fira Sans weights are not copied."
        ),
        extra={"fonts/OFL.txt": FIRA_OFL},
    ),
    Package(
        name="leaflet",
        version="1.9.4",
        integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        licence="BSD-2-Clause",
        dest=STATIC_VENDOR / "leaflet",
        files=(
            ("dist/leaflet.js", "leaflet.js"),
            # leaflet.js ends with a sourceMappingURL comment; ManifestStaticFilesStorage needs the map
            ("dist/leaflet.js.map", "leaflet.js.map"),
            ("dist/leaflet.css", "leaflet.css"),
            ("dist/images/", "images/"),
            ("LICENSE", "LICENSE"),
        ),
        purpose="maps",
    ),
    Package(
        name="axe-core",
        version="4.14.1",
        integrity="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        licence="MPL-2.0 (bundled parts: see LICENSE-3RD-PARTY.txt)",
        dest=TEST_VENDOR / "axe-core",
        files=(
            ("axe.min.js", "axe.min.js"),
            ("LICENSE", "LICENSE"),
            ("LICENSE-3RD-PARTY.txt", "LICENSE-3RD-PARTY.txt"),
        ),
        purpose="accessibility checks in the browser tests only (not served to users)",
    ),
)


class VendorError(Exception):
    pass


def npm_pack(pkg: Package, workdir: Path) -> Path:
    """Download NAME@VERSION as a tarball into workdir and verify it against the pinned integrity."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm fehlt: bitte Node.js/npm installieren (Debian: apt-get install -y npm).")
    spec = f"{pkg.name}@{pkg.version}"
    result = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise VendorError(f"npm pack {spec} ist fehlgeschlagen:\n{result.stderr.strip()}")
    tarball = workdir / result.stdout.strip().splitlines()[-1]
    algo, _, expected = pkg.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise VendorError(f"{spec}: Prüfsumme stimmt nicht ({algo}-{actual} statt {pkg.integrity}).")
    return tarball


def unpack(tarball: Path, workdir: Path) -> Path:
    target = workdir / tarball.stem
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def _kern_font_files(package_dir: Path) -> list[tuple[str, str]]:
    """The font files that fira-sans.css actually references (relative `url(./fira-sans/...)`)."""
    css = (package_dir / KERN_FONT_CSS).read_text(encoding="utf-8")
    names = sorted(set(re.findall(r"url\(\s*[\"']?\./(fira-sans/[\w.-]+\.woff2)[\"']?\s*\)", css)))
    if not names:
        raise VendorError("@kern-ux/native: keine Schriftdateien in fira-sans.css gefunden.")
    return [(f"dist/fonts/{name}", f"fonts/{name}") for name in names]


def file_plan(pkg: Package, package_dir: Path) -> list[tuple[Path, str]]:
    """(source file, destination relative to pkg.dest) for every file to copy."""
    pairs = list(pkg.files)
    if pkg.name == "@kern-ux/native":
        pairs += _kern_font_files(package_dir)
    plan: list[tuple[Path, str]] = []
    for src, dst in pairs:
        source = package_dir / src
        if src.endswith("/"):
            if not source.is_dir():
                raise VendorError(f"{pkg.name}@{pkg.version}: Ordner {src} fehlt im Paket.")
            plan += [(f, dst + f.name) for f in sorted(source.iterdir()) if f.is_file()]
        else:
            if not source.is_file():
                raise VendorError(f"{pkg.name}@{pkg.version}: Datei {src} fehlt im Paket.")
            plan.append((source, dst))
    return plan


def install(pkg: Package, package_dir: Path) -> list[Path]:
    if pkg.dest.exists():
        shutil.rmtree(pkg.dest)
    written = []
    for source, rel in file_plan(pkg, package_dir):
        target = pkg.dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    for rel, text in pkg.extra.items():
        target = pkg.dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def check(pkg: Package, package_dir: Path) -> list[str]:
    """Differences between the committed files and what the pinned package would produce."""
    problems = []
    expected = {pkg.dest / rel: source for source, rel in file_plan(pkg, package_dir)}
    for target, source in expected.items():
        if not target.is_file():
            problems.append(f"fehlt: {target.relative_to(ROOT)}")
        elif not filecmp.cmp(source, target, shallow=False):
            problems.append(f"abweichend: {target.relative_to(ROOT)}")
    for rel, text in pkg.extra.items():
        target = pkg.dest / rel
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            problems.append(f"fehlt oder abweichend: {target.relative_to(ROOT)}")
    known = set(expected) | {pkg.dest / rel for rel in pkg.extra}
    if pkg.dest.is_dir():
        extra_files = [f for f in sorted(pkg.dest.rglob("*")) if f.is_file() and f not in known]
        problems += [f"überzählig: {f.relative_to(ROOT)}" for f in extra_files]
    return problems


def _size(paths: list[Path]) -> str:
    total = sum(p.stat().st_size for p in paths)
    return f"{total / 1024:.0f} KB" if total < 1024 * 1024 else f"{total / 1024 / 1024:.1f} MB"


def readme(sizes: dict[str, str]) -> str:
    lines = [
        "# Vendored front-end packages",
        "",
        "Generated by `scripts/vendor.py` (`make vendor`); do not edit the files in this folder by hand.",
        "Each package was fetched with `npm pack` at the pinned version, checked against its sha512",
        "integrity, and only the files listed here were copied, together with the package's licence text.",
        "",
        "| Package | Version | Licence | Folder | Size | Used for |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for pkg in PACKAGES:
        folder = pkg.dest.relative_to(ROOT).as_posix() + "/"
        size = sizes.get(pkg.name, "?")
        row = (f"`{pkg.name}`", pkg.version, pkg.licence, f"`{folder}`", size, pkg.purpose)
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Files and licence texts", ""]
    for pkg in PACKAGES:
        folder = pkg.dest.relative_to(ROOT).as_posix()
        lines.append(f"### {pkg.name} {pkg.version}")
        lines.append("")
        for _src, dst in pkg.files:
            lines.append(f"* `{folder}/{dst}`")
        if pkg.name == "@kern-ux/native":
            lines.append(f"* `{folder}/fonts/fira-sans/*.woff2` (the faces referenced by `fira-sans.css`)")
        for rel in pkg.extra:
            lines.append(f"* `{folder}/{rel}` (written by the script)")
        if pkg.notes:
            lines += ["", pkg.notes]
        lines.append("")
    lines += [
        "## Font licence",
        "",
        "The Fira Sans fonts are licensed under the SIL Open Font License 1.1 (copyright The Mozilla",
        'Foundation and Telefonica S.A.; "Fira Sans" is a trademark of The Mozilla Corporation).',
        "`@kern-ux/native` names the licence only in the font metadata, so the script writes the notice and",
        "the full licence text to `kern/fonts/OFL.txt`. The KERN CSS and the rest of the package are under",
        "the EUPL-1.2 (`kern/LICENSE.md`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, change nothing")
    args = parser.parse_args(argv)

    problems: list[str] = []
    sizes: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="amtsweg-vendor-") as tmp:
            workdir = Path(tmp)
            for pkg in PACKAGES:
                package_dir = unpack(npm_pack(pkg, workdir), workdir)
                if args.check:
                    problems += check(pkg, package_dir)
                    continue
                written = install(pkg, package_dir)
                sizes[pkg.name] = _size(written)
                where = pkg.dest.relative_to(ROOT)
                print(f"{pkg.name}@{pkg.version}: {len(written)} Dateien, {sizes[pkg.name]} -> {where}")
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1

    if args.check:
        for line in problems:
            print(line, file=sys.stderr)
        print("vendor: alles aktuell." if not problems else f"vendor: {len(problems)} Abweichung(en).")
        return 1 if problems else 0

    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    (STATIC_VENDOR / "README.md").write_text(readme(sizes), encoding="utf-8")
    print(f"README: {(STATIC_VENDOR / 'README.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
