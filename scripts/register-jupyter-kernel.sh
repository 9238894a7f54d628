#!/usr/bin/env bash
# Registers the .NET Interactive Jupyter kernels (C#, F#, PowerShell) from this repository's local dotnet-interactive
# tool (dotnet-tools.json, version 1.0.712001 — the last release). The generated kernel.json runs `dotnet interactive`;
# Jupyter starts each kernel in the notebook's folder, inside this repository, where that resolves the local tool.
# The kernel's HTTP endpoint is kept on loopback (--http-local-only); without it the kernel listens on every interface.
# Idempotent. The editor-kernel tests and the dev container call this script too.
# Usage: scripts/register-jupyter-kernel.sh [kernels-folder]     (default: ~/.local/share/jupyter/kernels)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kernels="${1:-$HOME/.local/share/jupyter/kernels}"
mkdir -p "$kernels"
cd "$root"
dotnet tool restore >/dev/null
DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1 dotnet tool run dotnet-interactive -- jupyter install --path "$kernels"
for spec in "$kernels"/.net-*/kernel.json; do
  perl -0pi -e 's/"\{connection_file\}",(?!\s*"--http-local-only")/"{connection_file}", "--http-local-only",/' "$spec"
done
echo "Registered the .NET kernels in $kernels (start Jupyter from inside this repository)."
