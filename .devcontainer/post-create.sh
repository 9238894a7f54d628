#!/usr/bin/env bash
# Runs once when the dev container (or Codespace) is created.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore
dotnet build lib/LlmNotebooks.Handouts   # the library the notebooks load, and the handouts tool; dotnet test builds the rest
# Register the .NET kernels for Jupyter (JupyterLab and VS Code's Jupyter extension) from the local tool.
bash scripts/register-jupyter-kernel.sh
# What `dotnet test` needs beyond the SDK: here (Ubuntu) that is Playwright's Chromium for the handout tests.
.ci/install-test-deps
echo "Ready: open notebooks/01-positional-encoding.ipynb and pick the .NET Interactive kernel."
