#!/usr/bin/env python3
"""Build assets/rome_fiches.tsv and assets/appellations.tsv from the reference facts.

Run by hand from the repository root (it is NOT used at build or test time; the app
embeds the generated files with include_str!):

    python3 assets/build/build_assets.py /work/shared/reference

Inputs (read only here):
  <ref>/rome/romes.csv          code_rome;libelle_rome                      (532 ROME v3 fiches)
  <ref>/rome/appellations.csv   ogr;rome;long label;short label             (all appellations)
  <ref>/metiers.tsv             curated métier -> branches mapping, joined by OGR code;
                                rows without OGR are ROME 4.0 fiche-level rows.
Outputs:
  assets/rome_fiches.tsv        code, label
  assets/appellations.tsv       ogr, rome, label, short_label, branches
It also prints a data-quality report (unknown codes, mismatches, duplicates).

Synthetic OGR codes: ROME 4.0 fiche-level rows have no OGR code in the snapshot. They get
900_000_000 + (letter index, A=0) * 10_000 + the four digits, e.g. K1306 -> 900101306.
Real OGR codes are below 1,000,000, so the ranges cannot collide
(see catalog::synthetic_ogr / catalog::is_synthetic_ogr).
"""
import collections
import os
import re
import sys

SYNTHETIC_BASE = 900_000_000
BRANCHES = ["ECLAT", "ALISFA", "BAD", "ACI", "RQ", "ML", "HLA", "TSF", "MUT",
            "SECU", "IRC", "ESH", "OPH", "OPHS"]


def synthetic_ogr(code):
    return SYNTHETIC_BASE + (ord(code[0]) - ord("A")) * 10_000 + int(code[1:])


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    lines = [l for l in re.split(r"\r?\n", text) if l]
    return lines[0], [l.split(";") for l in lines[1:]]


def clean(s):
    if "\t" in s or "\n" in s:
        raise SystemExit(f"tab/newline inside a field: {s!r}")
    return s.strip()


def main():
    ref = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference"
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.dirname(here)
    problems = collections.defaultdict(list)

    _, romes_rows = read_csv(os.path.join(ref, "rome", "romes.csv"))
    fiches = {}
    for r in romes_rows:
        if r[0] in fiches:
            problems["duplicate fiche in romes.csv"].append(r[0])
        fiches[r[0]] = clean(r[1])

    _, app_rows = read_csv(os.path.join(ref, "rome", "appellations.csv"))
    apps = {}
    order = []
    for r in app_rows:
        if len(r) != 4:
            problems["appellations.csv: bad column count"].append(r)
            continue
        ogr, rome, long_l, short_l = (clean(x) for x in r)
        if ogr in apps:
            problems["appellations.csv: duplicate OGR"].append(ogr)
            continue
        if rome not in fiches:
            problems["appellations.csv: ROME code not in romes.csv"].append((ogr, rome))
        apps[ogr] = [ogr, rome, long_l, short_l or long_l, ""]
        order.append(ogr)

    with open(os.path.join(ref, "metiers.tsv"), encoding="utf-8") as f:
        met = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    header, met = met[0], met[1:]
    assert header[0] == "rome_code" and header[-1] == "ogr_appellation", header
    extra_fiches = {}
    fiche_level = []
    seen_ogr = {}
    for line_no, r in enumerate(met, start=2):
        code, rlabel, appl, branches, domain, ogr = (clean(x) for x in r)
        blist = branches.split(",")
        for b in blist:
            if b not in BRANCHES and b != "ALL":
                problems["metiers.tsv: unknown branch"].append((line_no, b))
        if len(set(blist)) != len(blist):
            problems["metiers.tsv: branch repeated in a row"].append((line_no, branches))
        if code in fiches and fiches[code] != rlabel:
            problems["metiers.tsv: fiche label differs from romes.csv"].append((line_no, code, rlabel, fiches[code]))
        if ogr:
            if ogr in seen_ogr:
                problems["metiers.tsv: duplicate OGR"].append((line_no, ogr, seen_ogr[ogr]))
                continue
            seen_ogr[ogr] = line_no
            if ogr not in apps:
                problems["metiers.tsv: OGR not in appellations.csv"].append((line_no, ogr, appl))
                continue
            a = apps[ogr]
            if a[1] != code:
                problems["metiers.tsv: OGR filed under another ROME code"].append((line_no, ogr, code, a[1]))
            if a[2] != appl:
                problems["metiers.tsv: appellation label differs"].append((line_no, ogr, appl, a[2]))
            if code not in fiches:
                problems["metiers.tsv: ROME code with OGR not in romes.csv"].append((line_no, code))
            a[4] = branches
        else:
            if code in fiches:
                problems["metiers.tsv: row without OGR on a v3 fiche"].append((line_no, code))
                continue
            if "(ROME 4.0 fiche)" not in domain:
                problems["metiers.tsv: row without OGR not marked ROME 4.0"].append((line_no, code))
            if appl != rlabel:
                problems["metiers.tsv: ROME 4.0 row whose appellation differs from fiche label"].append((line_no, code))
            if code in extra_fiches:
                problems["metiers.tsv: duplicate ROME 4.0 fiche row"].append((line_no, code))
                continue
            extra_fiches[code] = rlabel
            same = [o for o in order if apps[o][2] == appl]
            if same:
                problems["metiers.tsv: ROME 4.0 fiche whose label is also a v3 appellation (shown twice)"].append(
                    (line_no, code, appl, [(o, apps[o][1]) for o in same]))
            fiche_level.append([str(synthetic_ogr(code)), code, appl, appl, branches])
    # Referential count check (branches.md says 11,117).
    problems["info: appellations in appellations.csv"].append(len(apps))
    problems["info: ROME v3 fiches in romes.csv"].append(len(fiches))
    problems["info: ROME 4.0 fiche-level rows added"].append(len(fiche_level))
    problems["info: appellations with a branch mapping"].append(sum(1 for a in apps.values() if a[4]) + len(fiche_level))

    all_fiches = dict(fiches)
    all_fiches.update(extra_fiches)
    with open(os.path.join(out, "rome_fiches.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# ROME fiches: the 532 ROME v3 fiches of the France Travail referential (snapshot 2026-08-07)\n")
        f.write("# plus the ROME 4.0 fiche-level codes of the curated métier list. Generated by assets/build/build_assets.py.\n")
        f.write("code\tlabel\n")
        for code in sorted(all_fiches):
            f.write(f"{code}\t{all_fiches[code]}\n")

    rows = [apps[o] for o in order] + fiche_level
    rows.sort(key=lambda a: a[1])  # stable: referential order within a fiche
    with open(os.path.join(out, "appellations.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# ROME appellations (France Travail referential, snapshot 2026-08-07), generated by assets/build/build_assets.py.\n")
        f.write("# Columns: ogr, rome, label (long), short_label, branches.\n")
        f.write("# branches: comma-separated branch short ids from the curated mapping (metiers.tsv), joined by OGR;\n")
        f.write("#   ALL = support job found in every branch (kept as a marker; the catalogue expands it);\n")
        f.write("#   empty = no curated mapping.\n")
        f.write("# ogr >= 900000000: synthetic code of a ROME 4.0 fiche-level row (no OGR in the snapshot):\n")
        f.write("#   900000000 + (letter index, A=0) * 10000 + digits, e.g. K1306 -> 900101306.\n")
        f.write("ogr\trome\tlabel\tshort_label\tbranches\n")
        for a in rows:
            f.write("\t".join(a) + "\n")

    for k, v in problems.items():
        print(f"== {k}: {len(v) if not k.startswith('info') else v[0]}")
        if not k.startswith("info"):
            for x in v[:20]:
                print("   ", x)


if __name__ == "__main__":
    main()
