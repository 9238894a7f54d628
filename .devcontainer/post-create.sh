#!/usr/bin/env bash
# Runs once when the dev container (or Codespace) is created.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore
dotnet build LlmNotebooks.sln
# Register the .NET kernels for Jupyter (JupyterLab and VS Code's Jupyter extension), calling the local tool.
kernels="$HOME/.local/share/jupyter/kernels"
mkdir -p "$kernels"
dotnet tool run dotnet-interactive -- jupyter install --path "$kernels"
# The generated argv runs `dotnet interactive`, which finds only a global tool: point it at the local tool, and keep the
# kernel's HTTP endpoint on loopback.
perl -0pi -e 's/"dotnet",\s*"interactive",/"dotnet", "tool", "run", "dotnet-interactive", "--",/; s/"\{connection_file\}",/"{connection_file}", "--http-local-only",/' \
  "$kernels"/.net-*/kernel.json
echo "Ready: open notebooks/01-positional-encoding.ipynb and pick the .NET Interactive kernel."
