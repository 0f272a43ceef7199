using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace DfChat.Bench.Http;

/// <summary>
/// A server under test in a process of its own on 127.0.0.1: the sample host, or the bench itself serving
/// the baselines. Started with <c>dotnet &lt;dll&gt;</c> (no build, no launch profile), stopped at the end,
/// with its peak working set read before it goes.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 40;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServerProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    /// <summary>The peak resident set so far (VmHWM), in bytes; 0 once the process has exited.</summary>
    public long PeakWorkingSet => ReadPeakWorkingSet(_process);

    /// <summary>The sample host, built in the bench's own configuration, with its settings as environment variables.</summary>
    public static Task<ServerProcess> StartHostAppAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var assembly = AssemblyMetadata("HostAppAssembly");
        if (!File.Exists(assembly))
            throw new InvalidOperationException($"The sample host is not built at {assembly}: dotnet run builds it with the bench.");
        return StartAsync("HostApp", assembly, [], settings, cancellationToken);
    }

    /// <summary>This very program, serving the baselines (see <c>Baselines/BaselineServer.cs</c>).</summary>
    public static Task<ServerProcess> StartBenchServerAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        StartAsync("baseline server", typeof(ServerProcess).Assembly.Location, arguments, settings, cancellationToken);

    /// <summary>The folder of the sample host's build: its working directory and content root when the bench starts it.</summary>
    public static string HostAppDirectory => Path.GetDirectoryName(AssemblyMetadata("HostAppAssembly"))!;

    public static string AssemblyMetadata(string key) =>
        typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No assembly metadata '{key}'.");

    /// <summary>Stops the process and returns its peak working set in bytes, read just before it stops.</summary>
    public async Task<long> StopAsync()
    {
        var peak = PeakWorkingSet;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        return peak;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>The last lines the process printed, to explain a failure.</summary>
    public string OutputTail()
    {
        lock (_output)
            return string.Join(Environment.NewLine, _output);
    }

    private static async Task<ServerProcess> StartAsync(
        string name, string assembly, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var server = new ServerProcess(name, process, baseAddress);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAnsweringAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the server answers any HTTP request (a 401 or 404 will do): it has started.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before answering:{Environment.NewLine}{OutputTail()}");
            try
            {
                using var response = await http.GetAsync("/", cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        throw new TimeoutException($"{Name} did not answer within 90 s:{Environment.NewLine}{OutputTail()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
                _output.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet executable running this bench (dotnet run sets DOTNET_HOST_PATH), else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private static long ReadPeakWorkingSet(Process process)
    {
        try
        {
            // VmHWM is the peak resident set of the process, in kB: what "peak working set" means on Linux.
            var status = $"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/status";
            if (File.Exists(status))
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                    return long.Parse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
            }

            process.Refresh();
            return process.HasExited ? 0 : process.PeakWorkingSet64;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
