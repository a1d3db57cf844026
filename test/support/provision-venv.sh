#!/usr/bin/env bash
# Creates ./.venv at the project root from test/support/requirements.txt (moto server, cfn-lint), and ./.venv/checkov
# from test/support/checkov-requirements.txt (checkov pins an old boto3 that breaks moto, so it gets its own venv).
# Idempotent: a stamp inside .venv holds the sha256 of both locks; when it matches, nothing is done.
# When the lock changes, .venv is rebuilt from scratch (so removed packages go too). Run by `npm test` (`npm run venv`).
# Works from any cwd. Environment: PYTHON=/path/to/python3 picks the interpreter (default: python3 on PATH).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lock="$root/test/support/requirements.txt"
checkov_lock="$root/test/support/checkov-requirements.txt"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"

die() { echo "provision-venv: $*" >&2; exit 1; }

[ -f "$lock" ] || die "missing $lock"
[ -f "$checkov_lock" ] || die "missing $checkov_lock"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "neither sha256sum nor shasum found (install coreutils)"
  fi
}

want="$(sha256 "$lock") $(sha256 "$checkov_lock")"
up_to_date() { [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }

if up_to_date; then
  echo "venv: up to date"
  exit 0
fi

# Serialize concurrent runs on the same tree (two `npm test` at once must not both rebuild .venv).
if command -v flock >/dev/null 2>&1; then
  lockfile="${TMPDIR:-/tmp}/provision-venv-$(printf '%s' "$root" | cksum | cut -d' ' -f1).lock"
  exec 9>"$lockfile"
  flock 9
  if up_to_date; then echo "venv: up to date"; exit 0; fi
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 \
  || die "'$python' not found on PATH. The test ground needs Python >= 3.9 with the venv module \
(Debian/Ubuntu: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3."
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || die "$("$python" --version 2>&1) is too old: the test ground needs Python >= 3.9."

start=$SECONDS
echo "venv: building $venv from test/support/requirements.txt and checkov-requirements.txt ($("$python" --version 2>&1))"
rm -rf "$venv"
"$python" -m venv "$venv" \
  || die "'$python -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)."
# --no-deps would hide a lock that lacks a package; a normal resolve of a full pin set is exact and checks it.
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$lock" \
  || die "pip install -r test/support/requirements.txt failed (see above); .venv left incomplete, rerun to retry."
for tool in moto_server cfn-lint; do
  [ -x "$venv/bin/$tool" ] || die "$venv/bin/$tool missing after install: check requirements.txt"
done
"$python" -m venv "$venv/checkov" || die "'$python -m venv $venv/checkov' failed."
"$venv/checkov/bin/python" -m pip install -q --disable-pip-version-check -r "$checkov_lock" \
  || die "pip install -r test/support/checkov-requirements.txt failed (see above); .venv left incomplete, rerun to retry."
[ -x "$venv/checkov/bin/checkov" ] || die "$venv/checkov/bin/checkov missing after install: check checkov-requirements.txt"
printf '%s\n' "$want" >"$stamp"
echo "venv: ready in $((SECONDS - start)) s ($("$venv/bin/pip" freeze | wc -l | tr -d ' ') packages)"
