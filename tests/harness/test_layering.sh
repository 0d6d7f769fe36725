#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_layering.sh - the shape of harness/ (harness/run.h) and
# allocators/: no harness source file over 700 lines, and calls going one
# way in both. A file A depends on a file B
# when A's object refers to a symbol B's object defines (nm, so only real
# calls count) or A includes a header declaring a function of B; headers
# also depend on the headers they include. No two files may depend on each
# other, directly or round a longer loop. Needs build/obj/harness/*.o
# and build/obj/allocators/ (make builds them); objects whose source is
# gone (a stale build folder) are left out.
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

DIRS = ('harness', 'allocators')
defs, refs, edges = {}, {}, {}
objs = []
for d in DIRS:
    objs += glob.glob('build/obj/%s/**/*.o' % d, recursive=True)
for o in objs:
    f = os.path.relpath(o, 'build/obj')[:-2]
    # A stale object of a source that is gone says nothing of the tree.
    if not os.path.exists(f + '.c') and not os.path.exists(f + '.cc'):
        continue
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
headers, sources = [], []
for d in DIRS:
    headers += glob.glob(d + '/**/*.h', recursive=True)
    sources += glob.glob(d + '/**/*.c', recursive=True)
    sources += glob.glob(d + '/**/*.cc', recursive=True)


def code(path):
    # Comments out: "before main()" in a comment is no declaration.
    text = re.sub(r'/\*.*?\*/', ' ', open(path).read(), flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


decl = {h: {defs[n] for n in re.findall(r'\b(\w+)\s*\(', code(h))
            if n in defs} for h in headers}
for src in headers + sources:
    node = src if src.endswith('.h') else os.path.splitext(src)[0]
    for inc in re.findall(r'#include "((?:harness|allocators)/[\w/]+\.h)"',
                          open(src).read()):
        if src.endswith('.h'):
            edges.setdefault(node, set()).add(inc)
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
check "no two files under harness/ or allocators/ call or include each other, round any loop${loops:+ (loops: $loops)}" \
	test -z "$loops"
