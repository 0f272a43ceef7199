using DfChat.Bench;
using DfChat.Bench.Baselines;
using DfChat.Bench.Http;
using DfChat.Bench.InProcess;
using DfChat.Bench.Reporting;
using DfChat.Bench.Scenarios;

// One command for every benchmark; see BenchOptions.Usage and docs/BENCHMARKS.md.
//   dotnet run -c Release --project bench/DfChat.Bench -- all
// The bench also starts itself as the baseline server ("serve-baseline"): that is not for people to type.
if (args.Length > 0 && args[0] == BaselineServer.Command)
{
    await BaselineServer.RunAsync(args);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (ServerProcess.AssemblyMetadata("Configuration") != "Release")
    Console.Error.WriteLine("warning: not a Release build; the sample host runs in the same configuration. Use dotnet run -c Release.");

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// The load client must never be what waits: with the pool's default of one thread per core, workers whose
// operation blocks (Microsoft.Data.Sqlite is synchronous underneath its async API) would queue unseen, and
// their latencies would leave out the time spent queued.
var threads = Math.Max(options.Connections.Max() * 2, 64);
ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
ThreadPool.SetMinThreads(Math.Max(workerThreads, threads), Math.Max(ioThreads, threads));

var report = new BenchReport(options);
var folder = Directory.CreateTempSubdirectory("dfchat-bench-").FullName;
try
{
    var all = options.Scenario == "all";
    if (all || options.Scenario == "send")
    {
        foreach (var provider in options.Providers)
            report.Send.Add(await SendScenario.RunAsync(options, provider, folder, cancellation.Token));
    }

    if (all || options.Scenario == "fanout")
    {
        foreach (var provider in options.Providers)
            report.Fanout.Add(await FanoutScenario.RunAsync(options, provider, folder, cancellation.Token));
    }

    if (all || options.Scenario == "read")
    {
        foreach (var provider in options.Providers)
            report.Read.Add(await ReadScenario.RunAsync(options, provider, folder, cancellation.Token));
    }

    if (all || options.Scenario == "inbox")
    {
        foreach (var provider in options.Providers)
            report.Inbox.Add(await InboxScenario.RunAsync(options, provider, folder, cancellation.Token));
    }

    if (all || options.Scenario == "search")
    {
        foreach (var provider in options.Providers)
            report.Search.Add(await SearchScenario.RunAsync(options, provider, folder, cancellation.Token));
    }

    if (all || options.Scenario == "inprocess")
        report.InProcess = await InProcessBenchmarks.RunAsync(small: options.Smoke);
}
finally
{
    Directory.Delete(folder, recursive: true);
}

var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
if (options.OutputFile is { } output)
    await File.WriteAllTextAsync(output, markdown);

if (options.Smoke)
{
    var missing = report.MissingFigures();
    foreach (var figure in missing)
        Console.Error.WriteLine($"smoke: missing figure: {figure}");
    if (missing.Count > 0)
        return 1;
    Console.WriteLine("smoke: every figure was produced.");
}

return 0;
