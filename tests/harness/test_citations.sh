#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_citations.sh - every citation of a seed or of a REFERENCE section in
# the tree resolves to docs/designs.md, which holds the designs in our own
# words (the seed documents and the REFERENCE notes are not in the
# repository):
#   - "seed NNN" (also "seeds NNN and MMM", "Seed NNN") needs a heading
#     "## seed NNN: ..." whose section carries a "**Citation.**" line (the
#     public posting or kernel commit);
#   - "REFERENCE §N" (and the older "REFERENCE.md section N") needs a
#     heading "## REFERENCE §N: ..."; a bare section sign with a number is
#     ambiguous and fails, naming where it is;
#   - every row of paper/seed-claims.csv names a seed copy and a line of it
#     ("shared/seeds/NNN_<hash>.txt line L"): designs.md names that copy in
#     section seed NNN and quotes line L ("- seed NNN line L: ...") with
#     the row's value in the quote; or, for a figure the seeds quote from
#     elsewhere (Brouer's alf_queue table), a REFERENCE section and its line
#     ("REFERENCE <section sign>N (shared/REFERENCE.md line L)"), whose
#     section in designs.md holds the row's value.
# Scans every file but .git, build/ and results/ run folders (the committed
# results/reference/ is scanned). No build needed.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

doc=docs/designs.md

# The patterns are built from pieces so that this file cites nothing.
sect=$(printf '\302\247')	# the section sign, UTF-8
# A list continues only with three-digit numbers ("seed 000, 2014" is one
# citation, not two).
pat_seed='[Ss]eeds? [0-9]{3}((,| ?and| ?or| ?/) ?[0-9]{3}([^0-9]|$))*'
pat_ref="REFERENCE ?$sect ?[0-9]+|REFERENCE\\.md,? section [0-9]+"
pat_bare="$sect ?[0-9]+"

# citations ROOT... - one line per citation: FILE:LINE<TAB>KIND<TAB>NUMBER,
# KIND being seed, ref or bare.
citations() {
	grep -rnIoE --exclude-dir=.git --exclude-dir=build \
		"$pat_seed|$pat_ref|$pat_bare" "$@" 2>/dev/null |
		while IFS= read -r hit; do
			file=${hit%%:*}
			rest=${hit#*:}
			line=${rest%%:*}
			text=${rest#*:}
			case $text in
			[Ss]eed*)
				for n in $(printf '%s\n' "$text" | grep -oE '[0-9]{3}'); do
					printf '%s:%s\tseed\t%s\n' "$file" "$line" "$n"
				done ;;
			REFERENCE*)
				printf '%s:%s\tref\t%s\n' "$file" "$line" "${text##*[!0-9]}" ;;
			*)
				printf '%s:%s\tbare\t%s\n' "$file" "$line" "${text##*[!0-9]}" ;;
			esac
		done
}

# The sections docs/designs.md has.
seed_sections() { grep -oE '^## seed [0-9]{3}:' "$doc" | grep -oE '[0-9]{3}'; }
ref_sections() { grep -aoE "^## REFERENCE $sect[0-9]+:" "$doc" | grep -oE '[0-9]+'; }

# unresolved - reads citations() lines, prints "FILE:LINE: what" for each
# one without its section.
unresolved() {
	local seeds refs where kind n
	seeds=" $(seed_sections | tr '\n' ' ')"
	refs=" $(ref_sections | tr '\n' ' ')"
	while IFS=$'\t' read -r where kind n; do
		case $kind in
		seed)
			case $seeds in *" $n "*) ;; *)
				echo "$where: seed $n has no section \"## seed $n:\" in $doc" ;; esac ;;
		ref)
			case $refs in *" $n "*) ;; *)
				echo "$where: REFERENCE $sect$n has no section \"## REFERENCE $sect$n:\" in $doc" ;; esac ;;
		bare)
			echo "$where: bare $sect$n is ambiguous: write \"REFERENCE $sect$n\"" ;;
		esac
	done
}

check "$doc exists" test -s "$doc"
[ -s "$doc" ] || exit 0

# The tree's roots: everything but .git, build/ and results/ run folders.
roots=()
for p in * .[!.]*; do
	case $p in .git | build | results) continue ;; esac
	[ -e "$p" ] && roots+=("$p")
done
[ -d results/reference ] && roots+=(results/reference)

citations "${roots[@]}" >"$tmp/cites"
n=$(wc -l <"$tmp/cites")
check "the tree has seed and REFERENCE citations to resolve ($n found)" test "$n" -gt 0

# The checker itself catches what it should: an unknown seed, an unknown
# REFERENCE section and a bare section sign, each named by file and line.
mkdir -p "$tmp/probe"
printf 'x\nsee seed %s here\nREFERENCE %s%s and %s%s\n' 099 "$sect" 99 "$sect" 3 \
	>"$tmp/probe/f.c"
citations "$tmp/probe" | unresolved >"$tmp/probe.out"
probe_flagged() {
	[ "$(wc -l <"$tmp/probe.out")" -eq 3 ] &&
		grep -q "f.c:2: seed 0""99 has no section" "$tmp/probe.out" &&
		grep -q "f.c:3: REFERENCE .*99 has no section" "$tmp/probe.out" &&
		grep -q "f.c:3: bare " "$tmp/probe.out"
}
check "the checker flags an unknown seed, an unknown section and a bare sign (file:line)" \
	probe_flagged

# Every citation in the tree resolves: one check per cited section, one
# failed check per citation that does not resolve, naming file:line.
unresolved <"$tmp/cites" >"$tmp/unresolved"
while IFS= read -r u; do
	echo "not ok - $u"
done <"$tmp/unresolved"
for s in $(awk -F'\t' '$2 == "seed" { print $3 }' "$tmp/cites" | sort -u); do
	c=$(awk -F'\t' -v s="$s" '$2 == "seed" && $3 == s' "$tmp/cites" | wc -l)
	check "seed $s: cited $c times, section \"## seed $s:\" in $doc" \
		grep -qE "^## seed $s:" "$doc"
done
for s in $(awk -F'\t' '$2 == "ref" { print $3 }' "$tmp/cites" | sort -un); do
	c=$(awk -F'\t' -v s="$s" '$2 == "ref" && $3 == s' "$tmp/cites" | wc -l)
	check "REFERENCE section $s: cited $c times, its section in $doc" \
		grep -qaE "^## REFERENCE $sect$s:" "$doc"
done
check "no citation in the tree is left unresolved" test ! -s "$tmp/unresolved"

# Each seed section gives the public source: a "**Citation.**" line before
# the next heading of its level.
has_citation() {	# seed number
	awk -v s="$1" '
		/^## / { in_s = ($0 ~ "^## seed " s ":") }
		in_s && /^\*\*Citation\.\*\* [^ ]/ { found = 1 }
		END { exit !found }' "$doc"
}
for s in $(seed_sections); do
	check "seed $s: its section carries a citation line" has_citation "$s"
done

# paper/seed-claims.csv: every cited line of a seed copy is quoted in
# designs.md, in its seed's section, with the row's figure.
if [ -f paper/seed-claims.csv ]; then
	python3 - paper/seed-claims.csv "$doc" >"$tmp/claims" 2>&1 <<'EOF'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
doc = open(sys.argv[2], encoding="utf-8").read().splitlines()
# Sections by heading, and the quoted lines "- seed NNN line L: ..." with
# their continuation lines.
section, sections, quotes, cur = None, {}, {}, None
refs, ref = {}, None
for line in doc:
    m = re.match(r"## seed (\d{3}):", line)
    if line.startswith("## "):
        section = m.group(1) if m else None
        m = re.match("## REFERENCE \u00a7(\\d+):", line)
        ref = m.group(1) if m else None
    if section:
        sections.setdefault(section, []).append(line)
    if ref:
        refs.setdefault(ref, []).append(line)
    q = re.match(r"- seed (\d{3}) line (\d+): (.*)", line)
    if q:
        cur = (q.group(1), int(q.group(2)))
        quotes[cur] = q.group(3)
    elif cur and line.startswith("  ") and line.strip():
        quotes[cur] += " " + line.strip()
    else:
        cur = None
bad = 0
for i, r in enumerate(rows, start=2):
    where = f"paper/seed-claims.csv:{i}"
    m = re.search(r"shared/seeds/(\d{3})_[0-9a-f]+\.txt line (\d+)", r.get("source") or "")
    ref = re.match("REFERENCE \u00a7(\\d+) \\(shared/REFERENCE\\.md line \\d+\\)", r.get("source") or "")
    if not m and ref:
        text = " ".join(refs.get(ref.group(1), []))
        if ref.group(1) not in refs:
            print(f"{where}: no section \"## REFERENCE \u00a7{ref.group(1)}:\" in {sys.argv[2]}"); bad += 1
        elif not re.search(r"(?<![0-9.])" + re.escape(r["value"]) + r"(?![0-9])", text):
            print(f"{where}: section REFERENCE \u00a7{ref.group(1)} lacks the value {r['value']}"); bad += 1
        continue
    if not m:
        print(f"{where}: source names no seed copy and line"); bad += 1; continue
    seed, line = m.group(1), int(m.group(2))
    copy = re.search(r"\d{3}_[0-9a-f]+\.txt", r["source"]).group(0)
    if r.get("seed") != seed:
        print(f"{where}: seed column {r.get('seed')} but source cites seed {seed}"); bad += 1
    if seed not in sections:
        print(f"{where}: no section \"## seed {seed}:\" in {sys.argv[2]}"); bad += 1; continue
    if not any(copy in l for l in sections[seed]):
        print(f"{where}: section seed {seed} does not name the copy {copy}"); bad += 1
    q = quotes.get((seed, line))
    if q is None:
        print(f"{where}: seed {seed} line {line} is not quoted (\"- seed {seed} line {line}: ...\")"); bad += 1
    elif not re.search(r"(?<![0-9.])" + re.escape(r["value"]) + r"(?![0-9])", q):
        print(f"{where}: the quote of seed {seed} line {line} lacks the value {r['value']}"); bad += 1
print(f"{len(rows)} rows, {bad} unresolved")
sys.exit(1 if bad or not rows else 0)
EOF
	rc=$?
	sed -n 's/^paper/not ok - paper/p' "$tmp/claims"
	check "paper/seed-claims.csv: every cited seed line is quoted in $doc with its figure ($(tail -n 1 "$tmp/claims"))" \
		test "$rc" -eq 0
fi

# The page is named in the README's layout (docs/ ... designs.md).
check "README.md's layout names designs.md" grep -qE '^docs/ .*designs\.md' README.md
