"""Benchmark: render and seal a two-page decision (Bescheid) N times.

Reports documents/s and ms per document for rendering (ReportLab, the production path), sealing (pyHanko
PAdES B-B and B-T with the local time-stamping unit) and both together, with same-run baselines: SHA-256 of
the same bytes (the floor of any "touch every byte" work) and, optionally, WeasyPrint rendering the same
content (`--weasyprint`, the alternative renderer considered in STACK.md). Single process, so the figures are
per core. Target: ≥ 20 sealed decisions per second per core.

    .venv/bin/python benchmarks/documents.py [-n 100] [--weasyprint]

`run(iterations)` returns the figures as a dict for benchmarks/run.py. A throw-away SQLite database and PKI
folder are created in a temporary directory (unless Django is already configured in this process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_PER_SECOND = 20


def _setup_django() -> None:
    """Always a throw-away SQLite database and PKI folder: a benchmark never writes into real data."""
    from django.conf import settings

    if settings.configured:
        return
    folder = Path(tempfile.mkdtemp(prefix="amtsweg-bench-documents-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "amtsweg.config.settings",
            "AMTSWEG_TESTING": "1",
            "AMTSWEG_DATA_DIR": str(folder),
            "AMTSWEG_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("AMTSWEG_DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _fixture():
    from amtsweg.directory.models import Authority, Office
    from amtsweg.documents.defaults import ensure_default_templates
    from amtsweg.documents.services import DocumentSpec, Fee

    ensure_default_templates()
    authority, created = Authority.objects.get_or_create(
        key="benchmark-landratsamt", defaults={"name": "Landratsamt Benchmarkkreis"}
    )
    if created or not authority.offices.exists():
        Office.objects.create(
            authority=authority,
            name="Hauptsitz",
            street="Brückenstraße 4",
            postal_code="01662",
            city="Meißen",
            is_main=True,
        )
    reasons = (
        "Die Voraussetzungen des § 14 GewO liegen vor. Die Anzeige ist vollständig, die Angaben zur "
        "Betriebsstätte in der Großenhainer Straße wurden geprüft und stimmen mit dem Gewerberegister "
        "überein. "
    )
    spec = DocumentSpec(
        doc_type="bescheid",
        authority=authority,
        data={
            "betreff": "Bescheid über die Gewerbeanmeldung „Bäckerei Müßig“",
            "anrede": "Sehr geehrte Frau Weißflog,",
            "entscheidung": "Die Gewerbeanmeldung vom 02.11.2026 wird bestätigt. ẞ, ä, ö, ü, € – alles da.",
            "begruendung": reasons * 24,
        },
        fees=[Fee("Gewerbeanmeldung (10. SächsKVZ lfd. Nr. 46)", 2600), Fee("Auslagen", 0)],
        recipient_lines=["Frau Anna Weißflog", "Bäckerei Müßig", "Großenhainer Straße 12", "01445 Radebeul"],
        file_number="32.1-2026-0815",
        issued_on=dt.date(2026, 11, 27),
    )
    return authority, spec


def _timed(func, iterations: int) -> tuple[tuple[list[float], float], object]:
    """Wall time per run, plus the process CPU time per run (what "per core" means on a busy machine)."""
    times, result = [], None
    cpu_start = time.process_time()
    for _ in range(iterations):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return (times, (time.process_time() - cpu_start) / iterations), result


def _figures(measured) -> dict:
    times, cpu = measured
    mean = statistics.fmean(times)
    return {
        "ms_per_doc": round(mean * 1000, 2),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "docs_per_s": round(1 / mean, 1) if mean else float("inf"),
        "cpu_ms_per_doc": round(cpu * 1000, 2),
        "docs_per_cpu_s": round(1 / cpu, 1) if cpu else float("inf"),
    }


def _weasyprint_html(content) -> str:
    from html import escape

    from fontpkg_fira_sans import ROOT

    font = (ROOT / "files" / "FiraSans-Regular.ttf").as_uri()
    blocks = "".join(
        f"<{'h2' if b.kind == 'h' else 'p'}>{b.markup}</{'h2' if b.kind == 'h' else 'p'}>"
        for b in content.blocks
    )
    remedy = "".join(f"<p>{b.markup}</p>" for b in content.remedy_blocks)
    fees = "".join(
        f"<tr><td>{escape(f.label)}</td><td>{f.amount_cents / 100:.2f} €</td></tr>" for f in content.fees
    )
    return (
        f"<html lang='de'><head><style>@font-face{{font-family:F;src:url({font})}}"
        f" body{{font-family:F;font-size:10pt}}"
        f" @page{{size:A4;margin:25mm 20mm 22mm 25mm}}</style></head><body>"
        f"<p>{'<br>'.join(escape(x) for x in content.recipient_lines)}</p><h1>{content.title}</h1>{blocks}"
        f"<table>{fees}</table><h2>Rechtsbehelfsbelehrung</h2>{remedy}</body></html>"
    )


def run(iterations: int = 50, *, weasyprint: bool = False, verbose: bool = True) -> dict:
    _setup_django()
    from django.test.utils import override_settings

    from amtsweg.documents import sealing
    from amtsweg.documents.services import prepare, render_pdf

    authority, spec = _fixture()
    # Warm-up: fonts, certificate issuance, signer and time-stamper caches.
    pdf, _prepared, pages = render_pdf(spec)
    sealing.seal_pdf(pdf, authority)

    results: dict = {
        "iterations": iterations,
        "pages": pages,
        "pdf_bytes": len(pdf),
        "target_docs_per_s": TARGET_PER_SECOND,
    }
    render_times, (pdf, _prepared, _pages) = _timed(lambda: render_pdf(spec), iterations)
    results["render"] = _figures(render_times)
    hash_times, _ = _timed(lambda: hashlib.sha256(pdf).hexdigest(), iterations)
    results["baseline_sha256"] = _figures(hash_times)
    for label, mode in (("seal_pades_b_b", "none"), ("seal_pades_b_t", "local")):
        with override_settings(DOCUMENTS_TIMESTAMPS=mode):
            seal_times, sealed = _timed(lambda: sealing.seal_pdf(pdf, authority), iterations)
        results[label] = _figures(seal_times)
        results[f"{label}_bytes"] = len(sealed.pdf)
    with override_settings(DOCUMENTS_TIMESTAMPS="local"):
        total_times, _ = _timed(lambda: sealing.seal_pdf(render_pdf(spec)[0], authority), iterations)
    results["render_and_seal_b_t"] = _figures(total_times)
    with override_settings(DOCUMENTS_TIMESTAMPS="none"):
        total_bb_times, _ = _timed(lambda: sealing.seal_pdf(render_pdf(spec)[0], authority), iterations)
    results["render_and_seal_b_b"] = _figures(total_bb_times)
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results["meets_target"] = results["render_and_seal_b_t"]["docs_per_cpu_s"] >= TARGET_PER_SECOND
    if weasyprint:
        import weasyprint as wp

        html = _weasyprint_html(prepare(spec).content)
        wp.HTML(string=html).write_pdf(pdf_variant="pdf/a-2b")  # warm-up
        weasy_times, _ = _timed(
            lambda: wp.HTML(string=html).write_pdf(pdf_variant="pdf/a-2b"), max(3, iterations // 10)
        )
        results["weasyprint_pdfa2b_render"] = _figures(weasy_times)
    if verbose:
        _print(results)
    return results


def _print(results: dict) -> None:
    print(
        f"documents: two-page decision ({results['pages']} pages, {results['pdf_bytes']} bytes),"
        f" {results['iterations']} runs, 1 process"
    )
    rows = [
        ("baseline: SHA-256 of the PDF bytes", "baseline_sha256"),
        ("render (ReportLab, templates filled)", "render"),
        ("seal PAdES B-B (pyHanko, RSA-3072)", "seal_pades_b_b"),
        ("seal PAdES B-T (+ local time stamp)", "seal_pades_b_t"),
        ("render + seal B-B", "render_and_seal_b_b"),
        ("render + seal B-T", "render_and_seal_b_t"),
        ("WeasyPrint 70 render, PDF/A-2b (comparison)", "weasyprint_pdfa2b_render"),
    ]
    for label, key in rows:
        if key in results:
            fig = results[key]
            print(
                f"  {label:<46} wall {fig['ms_per_doc']:>8.2f} ms/doc {fig['docs_per_s']:>8.1f} docs/s"
                f" | CPU {fig['cpu_ms_per_doc']:>8.2f} ms/doc {fig['docs_per_cpu_s']:>8.1f} docs/s per core"
            )
    verdict = "meets" if results["meets_target"] else "MISSES"
    print(f"  load average during the run: {results['load_average']}")
    print(
        f"  target ≥ {results['target_docs_per_s']} sealed decisions/s per core"
        f" (render + seal B-T, CPU time): {verdict}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--iterations", type=int, default=50)
    parser.add_argument("--weasyprint", action="store_true", help="also time WeasyPrint for the same content")
    args = parser.parse_args(argv)
    if not 1 <= args.iterations <= 10_000:
        parser.error("iterations must be between 1 and 10000")
    run(args.iterations, weasyprint=args.weasyprint)
    return 0


if __name__ == "__main__":
    sys.exit(main())
