# Sourced by the install scripts: prints the Python to build a virtualenv with — the one named
# in $1 when set, else the first of python3.11, python3.12, python3 on PATH — or nothing.
find_python() {
  if [[ -n ${1:-} ]]; then
    echo "$1"
    return
  fi
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}
