using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DfChat.Tests.RealTime;

/// <summary>A server started as its own process (the sample host, or redis-server), stopped on dispose.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private bool _disposed;

    private HostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string Output
    {
        get
        {
            lock (_output)
                return string.Join('\n', _output.TakeLast(40));
        }
    }

    /// <summary>Starts <c>samples/HostApp</c> (built beside the tests) on a free port with <paramref name="settings"/> as environment variables.</summary>
    public static async Task<HostProcess> StartSampleAsync(IReadOnlyDictionary<string, string> settings, string workingDirectory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "HostApp.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var host = new HostProcess(Process.Start(start)!, port);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (host._process.HasExited)
                throw new InvalidOperationException($"The sample host exited: {host.Output}");
            try
            {
                if ((await http.GetAsync("/openapi/v1.json")).StatusCode == HttpStatusCode.OK)
                    return host;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await host.DisposeAsync();
        throw new TimeoutException($"The sample host did not answer within 30 s: {host.Output}");
    }

    /// <summary>Starts a throwaway redis-server on <paramref name="port"/> (a free one when 0), or returns null when none is installed.</summary>
    public static async Task<HostProcess?> StartRedisAsync(int port = 0)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (binary is null)
            return null;
        port = port == 0 ? FreePort() : port;
        var start = new ProcessStartInfo(binary, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var redis = new HostProcess(Process.Start(start)!, port);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return redis;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await redis.DisposeAsync();
        throw new TimeoutException("redis-server did not start.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Add(line);
    }
}
