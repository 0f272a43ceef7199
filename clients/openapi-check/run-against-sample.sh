#!/usr/bin/env bash
# Starts the sample host (SQLite in a temp folder, a free port), checks its /openapi/v1.json with
# check.mjs (OpenAPI 3.1 schema, a generated TypeScript client that compiles), then runs API.md §7's user
# stories through a C# client Kiota generates from it (clients/csharp-check/check.sh), and stops the host.
# Usage: clients/openapi-check/run-against-sample.sh [HostApp.dll]   (default: the Debug build of samples/HostApp)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dll=${1:-$root/samples/HostApp/bin/Debug/net10.0/HostApp.dll}
[[ -f $dll ]] || { echo "openapi-check: $dll not found: build samples/HostApp first" >&2; exit 1; }

port=5480
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
work=$(mktemp -d)
host_pid=
cleanup() {
    local rc=$?
    [[ -n $host_pid ]] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

(cd "$work" && exec env ConnectionStrings__Chat="Data Source=$work/dfchat.db" Media__Root="$work/media" \
    dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/host.log" 2>&1) &
host_pid=$!

# Dependencies while the host starts: exactly the lockfile's versions, nothing global.
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

# check.mjs waits for the host to answer.
if ! node "$here/check.mjs" "http://127.0.0.1:$port/openapi/v1.json"; then
    echo "openapi-check failed; the sample host's log:" >&2
    cat "$work/host.log" >&2
    exit 1
fi

if ! "$root/clients/csharp-check/check.sh" "http://127.0.0.1:$port"; then
    echo "csharp-check failed; the sample host's log:" >&2
    tail -n 200 "$work/host.log" >&2
    exit 1
fi
