using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DfChat.Bench.Http;
using DfChat.Bench.Scenarios;

namespace DfChat.Bench.Reporting;

/// <summary>Everything one run measured, rendered as the markdown that goes into <c>docs/BENCHMARKS.md</c>.</summary>
internal sealed class BenchReport(BenchOptions options)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The load average when the run started (<c>/proc/loadavg</c>): how busy the shared machine was.</summary>
    public string LoadAtStart { get; } = LoadAverage();

    public List<SendReport> Send { get; } = [];

    public List<FanoutReport> Fanout { get; } = [];

    public List<ReadReport> Read { get; } = [];

    public List<InboxReport> Inbox { get; } = [];

    public List<SearchReport> Search { get; } = [];

    public IReadOnlyList<string>? InProcess { get; set; }

    /// <summary>The command that reproduces this run.</summary>
    public string Command => "dotnet run -c Release --project bench/DfChat.Bench -- " + string.Join(' ', WithoutOutput(options.Arguments).Select(Quote));

    /// <summary>The arguments less <c>--out FILE</c>, which changes nothing that is measured.</summary>
    private static IEnumerable<string> WithoutOutput(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--out")
                i++;
            else
                yield return arguments[i];
        }
    }

    /// <summary>The figures a run of these scenarios must produce and did not: empty when every one is there.</summary>
    public IReadOnlyList<string> MissingFigures()
    {
        var missing = new List<string>();
        var scenarios = options.Scenario == "all" ? ["send", "fanout", "read", "inbox", "search", "inprocess"] : new[] { options.Scenario };
        if (scenarios.Contains("send"))
        {
            foreach (var provider in options.Providers)
            {
                if (Send.FirstOrDefault(s => s.Provider == provider) is not { } send)
                {
                    missing.Add($"send on {provider}: no report");
                    continue;
                }

                foreach (var row in send.Rows.Where(r => r.Result.Successes == 0 || double.IsNaN(r.Result.P99)))
                    missing.Add($"send on {provider}, {row.Connections} connections, {row.Label}: no successful request");
                foreach (var connections in options.Connections)
                {
                    if (!send.Rows.Any(r => r.Connections == connections && r.Kind == SendRowKind.DfChat))
                        missing.Add($"send on {provider}, {connections} connections: no DfChat figure");
                    if (!send.Rows.Any(r => r.Connections == connections && r.Kind == SendRowKind.HttpBaseline))
                        missing.Add($"send on {provider}, {connections} connections: no baseline figure");
                    if (!send.Rows.Any(r => r.Connections == connections && r.Kind == SendRowKind.DfChatMentions))
                        missing.Add($"send on {provider}, {connections} connections: no figure with mentions");
                }

                if (send.HostPeakBytes <= 0)
                    missing.Add($"send on {provider}: no peak memory of the host");
            }
        }

        if (scenarios.Contains("fanout"))
        {
            foreach (var provider in options.Providers)
            {
                if (Fanout.FirstOrDefault(f => f.Provider == provider) is not { } fanout)
                    missing.Add($"fan-out on {provider}: no report");
                else
                    missing.AddRange(fanout.MissingFigures().Select(m => $"fan-out on {provider}: {m}"));
            }
        }

        if (scenarios.Contains("read"))
        {
            foreach (var provider in options.Providers)
            {
                if (Read.FirstOrDefault(r => r.Provider == provider) is not { } read)
                    missing.Add($"read on {provider}: no report");
                else
                    missing.AddRange(read.MissingFigures(options.Connections).Select(m => $"read on {provider}: {m}"));
            }
        }

        if (scenarios.Contains("inbox"))
        {
            foreach (var provider in options.Providers)
            {
                if (Inbox.FirstOrDefault(r => r.Provider == provider) is not { } inbox)
                    missing.Add($"inbox on {provider}: no report");
                else
                    missing.AddRange(inbox.MissingFigures(options.Connections).Select(m => $"inbox on {provider}: {m}"));
            }
        }

        if (scenarios.Contains("search"))
        {
            foreach (var provider in options.Providers)
            {
                if (Search.FirstOrDefault(r => r.Provider == provider) is not { } search)
                    missing.Add($"search on {provider}: no report");
                else
                    missing.AddRange(search.MissingFigures(options.Connections).Select(m => $"search on {provider}: {m}"));
            }
        }

        if (scenarios.Contains("inprocess") && InProcess is not { Count: > 0 })
            missing.Add("in-process benchmarks: no figures");
        return missing;
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; DfChat and the sample host at commit {GitCommit("src", "samples")} (the last to change them), the bench at {GitCommit()}{(options.Smoke ? " (smoke run: figures prove only that the benchmark runs)" : "")}.");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine(Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine(Invariant, $"Machine: {Machine()}. Load average (1, 5, 15 min) at the start {LoadAtStart}, at the end {LoadAverage()}.");
        if (Send.Count > 0 || Read.Count > 0 || Inbox.Count > 0 || Search.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"Each load run: {Seconds(options.WarmUp)} s of warm-up, then {Seconds(options.Duration)} s measured; req/s and latencies are those of the successful requests completed in the measured window. The baseline and DfChat (read: the six page reads; inbox: the three users; search: the newest page and the four searches) are measured in alternation, {options.Rounds} round(s) each, and each of their figures pools its rounds; the other rows are one run each.{LockNote()}");
        }

        foreach (var send in Send)
            AppendSend(md, send);
        foreach (var fanout in Fanout)
            fanout.AppendMarkdown(md);
        foreach (var read in Read)
            read.AppendMarkdown(md, options.Connections);
        foreach (var inbox in Inbox)
            inbox.AppendMarkdown(md, options.Connections);
        foreach (var search in Search)
            search.AppendMarkdown(md, options.Connections);
        if (InProcess is { Count: > 0 })
        {
            md.AppendLine();
            md.AppendLine("### In-process (SQLite file, median of repeated runs)");
            md.AppendLine();
            md.AppendLine("```text");
            foreach (var line in InProcess)
                md.AppendLine(line.Trim());
            md.AppendLine("```");
        }

        return md.ToString();
    }

    private void AppendSend(StringBuilder md, SendReport send)
    {
        md.AppendLine();
        md.AppendLine(Invariant, $"### Send, {ProviderName(send.Provider)}");
        md.AppendLine();
        md.AppendLine(Invariant, $"One group room of {send.RoomMembers} members; each connection posts as its own member with its own bearer token. Durability: {send.Durability}.");
        md.AppendLine();
        md.AppendLine("| connections | what | ratio to baseline | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in options.Connections)
        {
            var baseline = send.Baseline(connections);
            foreach (var row in send.Rows.Where(r => r.Connections == connections))
            {
                var ratio = Ratio(row.Result.Throughput, baseline.Result.Throughput);
                var label = row == baseline ? $"{row.Label} — **baseline**" : row.Label;
                if (row.Kind is SendRowKind.DfChat or SendRowKind.DfChatMentions)
                    (label, ratio) = ($"**{label}**", $"**{ratio}**");
                md.AppendLine(Invariant, $"| {connections} | {label} | {ratio} | {row.Result.Throughput:N0} | {Milliseconds(row.Result.P50)} | {Milliseconds(row.Result.P99)} | {row.Result.FailureSummary} |");
            }
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"A send with {SendScenario.MentionsPerSend} mentions against a plain send, measured in alternation with it (issue 22's target: ≤ 1.1×). Time per send is the plain send's req/s over the one with mentions' (at 1 connection the same as the ratio of mean latencies):");
        md.AppendLine();
        md.AppendLine("| connections | plain req/s | with mentions req/s | **time per send, mentions ÷ plain** | p50 ratio | p99 ratio |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var connections in options.Connections)
        {
            var plain = send.Rows.Single(r => r.Connections == connections && r.Kind == SendRowKind.DfChat).Result;
            var mentions = send.Rows.Single(r => r.Connections == connections && r.Kind == SendRowKind.DfChatMentions).Result;
            md.AppendLine(Invariant, $"| {connections} | {plain.Throughput:N0} | {mentions.Throughput:N0} | **{Ratio(plain.Throughput, mentions.Throughput)}** | {Ratio(mentions.P50, plain.P50)} | {Ratio(mentions.P99, plain.P99)} |");
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"Peak working set (VmHWM): the sample host {Megabytes(send.HostPeakBytes)}, the baseline server {Megabytes(send.BaselinePeakBytes)}.");
    }

    private string LockNote() => options.LockFile is null
        ? ""
        : $" Builds and tests that take the lock {options.LockFile} waited during each measurement (--lock){(MachineLock.Skipped > 0 ? $", except during {MachineLock.Skipped} measurements that went on after a minute without it" : "")}.";

    public static string ProviderName(string provider) => provider == "sqlite" ? "SQLite" : "PostgreSQL";

    public static string Ratio(double value, double baseline) =>
        baseline > 0 && !double.IsNaN(value) ? (value / baseline).ToString("0.00", Invariant) + "×" : "n/a";

    public static string Milliseconds(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString(value < 10 ? "0.00" : "0.0", Invariant);

    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", Invariant) + " MB";

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", Invariant);

    private static string Quote(string argument) => argument.Any(c => char.IsWhiteSpace(c) || c is ';' or '"' or '\'') ? $"\"{argument}\"" : argument;

    private static string Machine()
    {
        var cpu = ReadProc("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadProc("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Replace("kB", "", StringComparison.Ordinal).Trim(), Invariant, out var kb)
            ? $"{kb / 1024.0 / 1024.0:0.0} GiB RAM"
            : "memory unknown";
        return string.Create(Invariant, $"{Environment.ProcessorCount} cores (nproc), {cpu}, {memory}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? ReadProc(string path, string key) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;

    /// <summary>The newest commit, or the newest to change one of <paramref name="paths"/>.</summary>
    private static string GitCommit(params string[] paths)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["log", "-1", "--format=%h", "--", .. paths])
            {
                WorkingDirectory = ServerProcess.AssemblyMetadata("RepositoryRoot"),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(start)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
