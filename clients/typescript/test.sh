#!/usr/bin/env bash
# The TypeScript client's checks, as CI runs them: install exactly the locked packages, compile,
# check that the sample page's bundle is what the sources produce, then test against a real
# samples/HostApp (its Debug build, built here when missing; DFCHAT_HOSTAPP_DLL names another).
# Each test file starts its own host on 127.0.0.1, a free port and a throwaway SQLite file, and
# stops it when done.
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm run --silent bundle:check

dll=${DFCHAT_HOSTAPP_DLL:-$repo/samples/HostApp/bin/Debug/net10.0/HostApp.dll}
if [[ ! -f $dll ]]; then
    dotnet build "$repo/samples/HostApp" -nologo -v q
fi
export DFCHAT_HOSTAPP_DLL=$dll

npm run --silent build:tests
node --test --test-concurrency=1 --test-timeout=120000 build/test/*.test.js
