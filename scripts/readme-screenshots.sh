#!/usr/bin/env bash
# Regenerates the README's pictures (docs/images/*.png) from the real product: runs the e2e
# screenshot spec against a production build, on the bundled cluster (it must be up).
# Usage: bash scripts/readme-screenshots.sh   (after `npm run build`)
set -euo pipefail
cd "$(dirname "$0")/.."
README_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
ls -l docs/images/
