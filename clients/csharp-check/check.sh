#!/usr/bin/env bash
# Generates a C# client from a running host's OpenAPI document with Kiota (the .NET tool of the repository's
# dotnet-tools.json), compiles Program.cs against it and runs API.md §7's user stories through it.
# Usage: clients/csharp-check/check.sh <base url of a running sample host>   (e.g. http://127.0.0.1:5080)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${1:?usage: check.sh <base url of a running sample host>}
base=${base%/}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cd "$root"
dotnet tool restore >/dev/null

# Wait for the host (it may still be starting), then keep its document beside the generated client.
mkdir -p "$here/generated"
for attempt in $(seq 120); do
    curl -fsS "$base/openapi/v1.json" -o "$here/generated/openapi.json" 2>/dev/null && break
    [[ $attempt == 120 ]] && { echo "csharp-check: no document at $base/openapi/v1.json" >&2; exit 1; }
    sleep 0.5
done

# Kiota's output (an update check that cannot reach the network, hints) is shown only when it fails.
if ! dotnet kiota generate --language CSharp --openapi "$here/generated/openapi.json" --output "$here/generated/DfChatClient" \
    --class-name DfChatClient --namespace-name DfChat.Client --clean-output --log-level Warning >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
echo "csharp-check: Kiota generated the client"

dotnet build "$here/DfChat.ClientCheck.csproj" -nologo -v q
dotnet "$here/bin/Debug/net10.0/DfChat.ClientCheck.dll" "$base"
