#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# readme-template.sh README OUT - copy the backend template of README's
# "Adding a backend" section (its first ```c block) to OUT, as it stands,
# so that the Makefile compiles it into build/readme/ and
# tests/harness/test_readme_backend.sh runs the suites on it: the guide
# cannot drift from the code.
set -eu
readme=$1 out=$2
mkdir -p "$(dirname "$out")"
awk '
	/^## Adding a backend/ { section = 1; next }
	section && /^## / { exit }
	section && !inside && /^```c$/ { inside = 1; found = 1; next }
	inside && /^```$/ { exit }
	inside { print }
	END { if (!found) exit 1 }
' "$readme" >"$out.tmp" || {
	echo "readme-template.sh: no \`\`\`c block in the \"Adding a backend\" section of $readme" >&2
	rm -f "$out.tmp"
	exit 1
}
mv "$out.tmp" "$out"
