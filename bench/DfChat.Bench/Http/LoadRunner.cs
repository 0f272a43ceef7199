using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace DfChat.Bench.Http;

/// <summary>One operation of a load run: returns the HTTP status it got (a database-only operation returns 201 on success).</summary>
/// <param name="worker">The index of the connection (0 to connections − 1) that runs it.</param>
internal delegate Task<int> LoadOperation(int worker, CancellationToken cancellationToken);

/// <summary>
/// A closed loop: <c>connections</c> workers, each sending its next request as soon as the previous one
/// answered, for a warm-up and then a measured duration. Only requests that complete inside the measured
/// window count (by completion time, so the throughput is that of the steady state); every latency of a
/// success is kept for the percentiles.
/// </summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(int connections, TimeSpan warmUp, TimeSpan duration, LoadOperation operation, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var measureFrom = warmUp;
        var measureUntil = warmUp + duration;
        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var record = new WorkerRecord();
            while (clock.Elapsed < measureUntil)
            {
                var started = clock.Elapsed;
                int status;
                string? error = null;
                try
                {
                    status = await operation(worker, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException or System.Data.Common.DbException)
                {
                    status = 0;
                    error = e.GetType().Name;
                }

                var ended = clock.Elapsed;
                if (ended < measureFrom || ended > measureUntil)
                    continue;
                if (status is >= 200 and < 300)
                {
                    record.Latencies.Add((ended - started).TotalMilliseconds);
                    continue;
                }

                var failure = error ?? status.ToString(CultureInfo.InvariantCulture);
                record.Failures[failure] = record.Failures.GetValueOrDefault(failure) + 1;
            }

            return record;
        }, cancellationToken)).ToList();

        var records = await Task.WhenAll(workers);
        var latencies = records.SelectMany(r => r.Latencies).Order().ToArray();
        var failures = records.SelectMany(r => r.Failures)
            .GroupBy(f => f.Key)
            .ToDictionary(g => g.Key, g => g.Sum(f => f.Value));
        return new LoadResult(connections, duration, latencies, failures);
    }

    /// <summary>An HTTP client that keeps one connection per worker open for the whole run.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>A POST of a JSON body as bytes, with a bearer token and one more header when given.</summary>
    public static async Task<int> PostJsonAsync(
        HttpClient http, string path, byte[] body, string? bearerToken, CancellationToken cancellationToken, (string Name, string Value)? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (bearerToken is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        if (header is var (name, value))
            request.Headers.TryAddWithoutValidation(name, value);
        // The default completion option reads the whole body, so the connection is free for the next request.
        using var response = await http.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }

    /// <summary>A GET with a bearer token and one more header when given; the whole body is read.</summary>
    public static async Task<int> GetAsync(
        HttpClient http, string path, string? bearerToken, CancellationToken cancellationToken, (string Name, string Value)? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearerToken is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        if (header is var (name, value))
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }

    private sealed class WorkerRecord
    {
        public List<double> Latencies { get; } = [];

        public Dictionary<string, int> Failures { get; } = [];
    }
}

/// <summary>The figures of one load run.</summary>
/// <param name="SortedLatencies">The latency of every success inside the measured window, in ms, ascending.</param>
/// <param name="Failures">Count of non-2xx answers by status code, or by exception type for requests that got no answer.</param>
internal sealed record LoadResult(int Connections, TimeSpan Duration, double[] SortedLatencies, IReadOnlyDictionary<string, int> Failures)
{
    /// <summary>Several runs as one: their measured windows end to end.</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> runs) => new(
        runs[0].Connections,
        TimeSpan.FromTicks(runs.Sum(r => r.Duration.Ticks)),
        [.. runs.SelectMany(r => r.SortedLatencies).Order()],
        runs.SelectMany(r => r.Failures).GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.Sum(f => f.Value)));

    public int Successes => SortedLatencies.Length;

    public double Throughput => Successes / Duration.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    /// <summary>Nearest-rank percentile; NaN when nothing succeeded.</summary>
    public double Percentile(double fraction) =>
        SortedLatencies.Length == 0
            ? double.NaN
            : SortedLatencies[Math.Clamp((int)Math.Ceiling(fraction * SortedLatencies.Length) - 1, 0, SortedLatencies.Length - 1)];

    public string FailureSummary => Failures.Count == 0
        ? "none"
        : string.Join(", ", Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}"));
}
