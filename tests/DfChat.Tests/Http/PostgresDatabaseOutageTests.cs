using System.Collections.Concurrent;
using System.Net;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace DfChat.Tests.Http;

/// <summary>
/// PostgreSQL going away under load, as a restart looks to the host (connections cut, new ones refused):
/// requests answer 503 problem details with <c>Retry-After</c> while it is away, never a 500, and succeed
/// again once it is back, without restarting the host; nothing half-done is left behind.
/// </summary>
public sealed class PostgresDatabaseOutageTests(PostgresBehindProxyChatApi api) : HttpTestBase(api), IClassFixture<PostgresBehindProxyChatApi>
{
    [SkippableFact]
    public async Task PostgresRestartedUnderLoad_503WithRetryAfterWhileDown_ThenSucceedsWithoutHostRestart()
    {
        // Arrange: four members posting in a loop (the host, and its proxy, start with the first user).
        var owner = await UserAsync("owner");
        var proxy = api.Proxy;
        var senders = new List<ChatUser> { owner };
        for (var i = 0; i < 3; i++)
            senders.Add(await UserAsync($"sender{i}"));
        var roomId = await owner.CreateGroupAsync([.. senders.Skip(1)]);
        var answers = new ConcurrentBag<(int Status, string? RetryAfter, string Text)>();
        using var stop = new CancellationTokenSource();
        var load = senders.Select((sender, s) => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var text = $"s{s}-{i}";
                using var response = await sender.PostAsync($"rooms/{roomId}/messages", new { text });
                answers.Add(((int)response.StatusCode, response.Headers.RetryAfter?.ToString(), text));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    await HttpAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            }
        })).ToList();

        // Act: the database goes away for a while, under load, then comes back.
        await Task.Delay(500);
        proxy.Unplug();
        await Task.Delay(3000);
        var whileDown = await owner.GetAsync($"rooms/{roomId}/messages");
        proxy.Plug();
        await EventuallyAsync(async () => (await owner.PostAsync($"rooms/{roomId}/messages", new { text = "back" })).StatusCode == HttpStatusCode.Created);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        // Assert: only 201 and 503 (with Retry-After); reads were 503 too; and after the outage, every
        // message answered 201 is stored exactly once, nothing is stored twice, and nothing is stored that
        // was not sent. (A send whose commit the cut interrupted answers 503 and may be stored: its
        // outcome was unknown, and a retry with its clientMessageId would return it.)
        Assert.All(answers, a => Assert.True(a.Status is 201 or 503, $"{a.Text}: {a.Status}"));
        Assert.Contains(answers, a => a.Status == 503);
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.False(string.IsNullOrEmpty(a.RetryAfter), $"{a.Text}: 503 without Retry-After"));
        await HttpAssert.ProblemAsync(whileDown, HttpStatusCode.ServiceUnavailable);
        var stored = (await WritePath.AllMessagesAsync(owner, roomId)).Select(m => m.Str("text")).ToList();
        Assert.Equal(stored.Count, stored.Distinct().Count());
        var created = answers.Where(a => a.Status == 201).Select(a => a.Text).Append("back").ToHashSet();
        Assert.Subset(stored.ToHashSet(), created);
        Assert.Subset(answers.Select(a => a.Text).Append("back").ToHashSet(), stored.ToHashSet());
        Assert.True(stored.Count - created.Count <= senders.Count, $"{stored.Count - created.Count} sends answered 503 were stored: more than one commit per sender was cut.");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition())
                return;
            await Task.Delay(200);
        }

        Assert.Fail("The host did not recover within 10 s of the database's return.");
    }
}

/// <summary>The sample host on PostgreSQL, reaching it through a <see cref="TcpProxy"/> that tests can unplug.</summary>
public sealed class PostgresBehindProxyChatApi() : ChatApiFactory(DatabaseProvider.Postgres)
{
    private TcpProxy? _proxy;

    public TcpProxy Proxy => _proxy ?? throw new InvalidOperationException("PostgreSQL is not configured.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
        _proxy ??= new TcpProxy(direct.Host!, direct.Port);
        direct.Host = "127.0.0.1";
        direct.Port = _proxy.Port;
        direct.Timeout = 3;
        builder.UseSetting("ConnectionStrings:Chat", direct.ConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_proxy is not null)
            await _proxy.DisposeAsync();
    }
}
