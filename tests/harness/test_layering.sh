#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_layering.sh - the harness's shape (harness/run.h): no source file
# over 700 lines, and calls going one way. A file A depends on a file B
# when A's object refers to a symbol B's object defines (nm, so only real
# calls count) or A includes a header declaring a function of B; headers
# also depend on the headers they include. No two files may depend on each
# other, directly or round a longer loop. Needs build/obj/harness/*.o
# (make builds them).
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."

. tests/harness/lib.sh

long=$(wc -l harness/*.c harness/*.cc | awk '$2 != "total" && $1 > 700 { print $2 }')
check "no source file under harness/ is over 700 lines${long:+ (over: $long)}" \
	test -z "$long"

loops=$(python3 - <<'EOF'
import glob, os, re, subprocess

defs, refs, edges = {}, {}, {}
for o in glob.glob('build/obj/harness/*.o'):
    f = os.path.basename(o)[:-2]
    for line in subprocess.run(['nm', o], capture_output=True,
                               text=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBR':
            defs[p[2]] = f
        elif len(p) == 2 and p[0] == 'U':
            refs.setdefault(f, set()).add(p[1])
if not defs:
    print('no objects in build/obj/harness (run make first)')
for f, us in refs.items():
    edges.setdefault(f, set()).update(defs[u] for u in us if u in defs)
decl = {h: {defs[n] for n in re.findall(r'\b(pb_\w+)\s*\(', open(h).read())
            if n in defs} for h in glob.glob('harness/*.h')}
for src in glob.glob('harness/*.[ch]') + glob.glob('harness/*.cc'):
    base = os.path.basename(src)
    node = base if src.endswith('.h') else os.path.splitext(base)[0]
    for inc in re.findall(r'#include "(harness/\w+\.h)"', open(src).read()):
        if src.endswith('.h'):
            edges.setdefault(node, set()).add(os.path.basename(inc))
        else:
            edges.setdefault(node, set()).update(decl.get(inc, ()))
for v in edges:
    edges[v].discard(v)


def reach(a):
    seen, todo = set(), [a]
    while todo:
        for w in edges.get(todo.pop(), ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


for a in sorted(edges):
    if a in reach(a):
        print(a, '->', ' '.join(sorted(w for w in edges[a] if a in reach(w))))
EOF
)
check "no two files under harness/ call or include each other, round any loop${loops:+ (loops: $loops)}" \
	test -z "$loops"
