#!/usr/bin/env bash
# Starts the sample host (SQLite in a temp folder, a free 127.0.0.1 port, rate limits off), installs the
# locked test packages, runs the browser specs (*.spec.mjs) in headless Chromium, and stops the host.
# Usage: tests/browser/run.sh [HostApp.dll]   (default: the Debug build of samples/HostApp)
# Environment: CHROMIUM (default /usr/bin/chromium), SCREENSHOT_DIR (default tests/browser/screenshots).
# Prints '# pass N' and '# fail N' lines, which .ci/run counts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dll=${1:-$root/samples/HostApp/bin/Debug/net10.0/HostApp.dll}
[[ -f $dll ]] || { echo "browser tests: $dll not found: build samples/HostApp first" >&2; exit 1; }
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] || { echo "browser tests: no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
export SCREENSHOT_DIR=${SCREENSHOT_DIR:-$here/screenshots}

port=5580
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
trap 'exit 130' INT
trap 'exit 143' TERM

# The content root is the sample's folder, whose wwwroot holds the page; data and uploads go to the temp folder.
(cd "$root/samples/HostApp" && exec env ConnectionStrings__Chat="Data Source=$work/dfchat.db" Media__Root="$work/media" \
    DfChat__RateLimits__Enabled=false dotnet "$dll" --urls "http://127.0.0.1:$port" --contentRoot "$root/samples/HostApp" \
    >"$work/host.log" 2>&1) &
host_pid=$!

# Dependencies while the host starts: exactly the lockfile's versions, nothing global.
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

for _ in $(seq 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$host_pid" 2>/dev/null || { echo "browser tests: the sample host stopped:" >&2; cat "$work/host.log" >&2; exit 1; }
    sleep 0.5
done

rm -rf "$SCREENSHOT_DIR"
mkdir -p "$SCREENSHOT_DIR"
status=0
for spec in "$here"/*.spec.mjs; do
    BASE_URL="http://127.0.0.1:$port" node "$spec" || status=$?
done
if ((status)); then
    echo "browser tests failed; the sample host's log (last 80 lines):" >&2
    tail -n 80 "$work/host.log" >&2
fi
echo "browser tests: screenshots in $SCREENSHOT_DIR"
exit "$status"
