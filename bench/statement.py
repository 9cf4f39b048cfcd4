"""How long a statement takes to render to PDF with many retirement rows (the aim: 2,000 rows in
≤ 5 s a language). Builds the statement from a snapshot written here (no database), renders it in
each language and prints the seconds, the CPU seconds (what the machine's other work does not
inflate), the pages and the size.

Measured on a two-core machine shared with other work, 2,000 rows: 31–35 s a language (131 pages)
while the register was a table of two rows a retirement in the portrait body; 4.2–5.0 s (41
pages) once it became one line a retirement in a landscape appendix and the footer's QR code a
PNG.

    PYTHONPATH=. .venv/bin/python bench/statement.py [ROWS]
"""

from __future__ import annotations

import sys
import time

import pypdfium2

from neutrality.statements.rendering import statement_pdf
from neutrality.statements.snapshot import snapshot_sha256, statement_from_snapshot
from tests.unit.test_statement_content import full


def snapshot(rows: int) -> dict:
    data = full(kind="cn_zero_carbon_factory")
    template = data["retirements"][0]
    data["retirements"] = [
        {**template, "id": n, "serial_start": n * 100 + 1, "serial_end": n * 100 + 100, "quantity": 100,
         "reference": f"CCER-R-{n:06d}", "evidence_sha256": f"{n:064x}"}
        for n in range(1, rows + 1)]
    return data


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    data = snapshot(rows)
    statement, sha256 = statement_from_snapshot(data), snapshot_sha256(data)
    statement_pdf(statement, "en", sha256=sha256)  # fonts and imports warmed once
    for locale in ("en", "zh_Hans", "zh_Hant"):
        started, cpu = time.perf_counter(), time.process_time()
        pdf = statement_pdf(statement, locale, sha256=sha256)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{rows} retirements, {locale}: {seconds:.2f} s ({cpu:.2f} s CPU), "
              f"{len(pypdfium2.PdfDocument(pdf))} pages, {len(pdf) / 1e6:.1f} MB (target ≤ 5 s)")


if __name__ == "__main__":
    main()
