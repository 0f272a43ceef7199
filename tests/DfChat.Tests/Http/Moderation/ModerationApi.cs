using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DfChat.Tests.Http.Moderation;

/// <summary>
/// The sample host with a clock the tests move (slow mode, expiries, the report listener's retries) and a
/// report listener that records what it receives, can be told to fail, or to hold until released.
/// </summary>
public abstract class ModerationApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
{
    /// <summary>Starts now (bearer tokens are issued and checked on it) and moves only when a test says so.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public RecordingReportListener Reports { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IChatReportListener>(Reports);
        });
    }

    /// <summary>A second node: another host over the same database, with the same clock.</summary>
    public WebApplicationFactory<Program> SecondNode() => WithWebHostBuilder(_ => { });

    /// <summary>Logs <paramref name="user"/> in on <paramref name="host"/> and returns a client of that node acting as them.</summary>
    public static async Task<ChatUser> LoginAsync(WebApplicationFactory<Program> host, ChatUser user)
    {
        using var auth = host.CreateClient();
        var login = await auth.PostAsJsonAsync("/auth/login", new { email = user.Email, password = Password });
        Assert.True(login.IsSuccessStatusCode, $"login: {(int)login.StatusCode}");
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var client = host.CreateClient();
        client.BaseAddress = new Uri(client.BaseAddress!, "/api/chat/");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ChatUser(user.Id, user.Email, client);
    }
}

public sealed class SqliteModerationApi() : ModerationApi(DatabaseProvider.Sqlite);

public sealed class PostgresModerationApi() : ModerationApi(DatabaseProvider.Postgres);

/// <summary>Records the reports the host receives; <see cref="FailNext"/> makes the next deliveries throw, <see cref="Hold"/> makes them wait.</summary>
public sealed class RecordingReportListener : IChatReportListener
{
    private readonly ConcurrentQueue<ChatReport> _received = new();
    private int _failures;

    public IReadOnlyCollection<ChatReport> Received => _received;

    private int _attempts;

    /// <summary>How many deliveries were tried, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>While set and not completed, deliveries wait for it (only those of <see cref="HoldOnlyReason"/> when that is set).</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>When set, <see cref="Hold"/> holds only the reports with this reason.</summary>
    public string? HoldOnlyReason { get; set; }

    public void FailNext(int times) => Interlocked.Exchange(ref _failures, times);

    public async Task HandleAsync(ChatReport report, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Hold is { } hold && (HoldOnlyReason is null || HoldOnlyReason == report.Reason))
            await hold.Task.WaitAsync(cancellationToken);
        if (Interlocked.Decrement(ref _failures) >= 0)
            throw new InvalidOperationException("The moderation queue is down.");
        _received.Enqueue(report);
    }

    /// <summary>Waits until a report of <paramref name="messageId"/> was received.</summary>
    public async Task<ChatReport> WaitForAsync(string messageId, Action? meanwhile = null, double seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (_received.FirstOrDefault(r => r.MessageId == messageId) is { } report)
                return report;
            meanwhile?.Invoke();
            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"No report of message {messageId} within {seconds} s ({Attempts} attempts).");
    }
}
