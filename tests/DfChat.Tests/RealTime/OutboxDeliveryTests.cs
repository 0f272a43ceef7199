using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using HostApp.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.RealTime;

/// <summary>
/// API.md §5 "Ordering and catch-up": events are delivered after the commit "whatever happens to the
/// request". A client that goes away right after sending still causes every event, and a room deleted
/// that way still loses its files; and an event never arrives before its change is visible to reads.
/// </summary>
public abstract class OutboxDeliveryTests(DisconnectingChatApi api) : HttpTestBase(api)
{
    private DisconnectingChatApi Host => (DisconnectingChatApi)Api;

    /// <summary>Sends a request whose connection the server drops right after its transaction commits; the client sees no answer.</summary>
    private static async Task SendAndGoAwayAfterCommitAsync(ChatUser user, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(DisconnectingChatApi.Header, "1");
        try
        {
            using var response = await user.Client.SendAsync(request);

            // Reached only when the write path commits somewhere the interceptor cannot see: then this is a plain send.
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // The connection was dropped, as a client that disconnects would see it.
        }
    }

    private static int FileCount(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) : 0;

    [SkippableFact]
    public async Task SendMessage_ClientGoneRightAfterCommit_EventStillDeliveredAndLogged()
    {
        // Arrange
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act
        await SendAndGoAwayAfterCommitAsync(alice, HttpMethod.Post, $"rooms/{roomId}/messages", new { text = "sent, then gone" });

        // Assert: the message is stored, bob hears of it, and the log has it.
        var stored = Assert.Single(await WritePath.AllMessagesAsync(bob, roomId));
        Assert.Equal("sent, then gone", stored.Str("text"));
        var heard = await recorder.WaitForAsync(e => e.Name == ChatEventNames.MessageCreated && e.RoomId == roomId, "messageCreated at bob");
        Assert.Equal(stored.Str("id"), heard.Payload.Str("id"));
        var log = await WritePath.AllEventsAsync(bob, roomId);
        Assert.Equal(stored.Str("id"), Assert.Single(log, e => e.Str("type") == ChatEventNames.MessageCreated).Prop("payload").Str("id"));
    }

    [SkippableFact]
    public async Task DeleteRoom_ClientGoneRightAfterCommit_RoomDeletedDeliveredAndFilesRemoved()
    {
        // Arrange: a room whose message holds a picture, stored as a file under the media root.
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var filesBefore = FileCount(Host.MediaRoot);
        var mediaId = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);
        Assert.Equal(filesBefore + 1, FileCount(Host.MediaRoot));
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act
        await SendAndGoAwayAfterCommitAsync(alice, HttpMethod.Delete, $"rooms/{roomId}");

        // Assert
        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
        await recorder.WaitForAsync(e => e.Name == ChatEventNames.RoomDeleted && e.RoomId == roomId, "roomDeleted at bob");
        await HttpAssert.ProblemAsync(await alice.GetAsync($"media/{mediaId}"), HttpStatusCode.NotFound);
        for (var attempt = 0; attempt < 100 && FileCount(Host.MediaRoot) != filesBefore; attempt++)
            await Task.Delay(100);
        Assert.Equal(filesBefore, FileCount(Host.MediaRoot));
    }

    [SkippableFact]
    public async Task SendMessage_ClientsCancelRightAfterSending_EveryStoredMessageIsDeliveredAndLogged()
    {
        // Arrange
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act: 40 sends, each abandoned by its client 0 to 19 ms after it started.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 20));
            try
            {
                using var response = await alice.Client.PostAsJsonAsync($"rooms/{roomId}/messages", new { text = $"abandoned {i}" }, cancel.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }));

        // The server may still be finishing abandoned requests: wait until the stored messages stop changing.
        var stored = await WritePath.AllMessagesAsync(bob, roomId);
        for (var stable = 0; stable < 3;)
        {
            await Task.Delay(300);
            var again = await WritePath.AllMessagesAsync(bob, roomId);
            stable = again.Count == stored.Count ? stable + 1 : 0;
            stored = again;
        }

        var followUp = await alice.SendIdAsync(roomId, "follow-up");
        await recorder.WaitForAsync(e => e.Name == ChatEventNames.MessageCreated && e.Payload.Str("id") == followUp, "the follow-up at bob");

        // Assert: every stored message reached bob and is in the log, with nothing for a message not stored.
        var ids = (await WritePath.AllMessagesAsync(bob, roomId)).Select(m => m.Str("id")).ToHashSet();
        await recorder.WaitUntilAsync(
            events => ids.IsSubsetOf(events.Where(e => e.Name == ChatEventNames.MessageCreated && e.RoomId == roomId).Select(e => e.Payload.Str("id"))),
            $"every one of the {ids.Count} stored messages delivered");
        var log = await WritePath.AllEventsAsync(bob, roomId);
        WritePath.SeqIsGapless(log);
        Assert.Equal(
            ids.Order(StringComparer.Ordinal),
            log.Where(e => e.Str("type") == ChatEventNames.MessageCreated).Select(e => e.Prop("payload").Str("id")).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task MessageCreated_WhenItArrives_TheMessageIsAlreadyReadable()
    {
        // Arrange
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var readable = new ConcurrentQueue<(string Id, HttpStatusCode Status)>();
        bobHub.Connection.On<System.Text.Json.JsonElement>(ChatEventNames.MessageCreated, payload =>
        {
            // Read at once, from the handler, as a client refreshing its list would.
            var id = payload.Str("id");
            _ = Task.Run(async () => readable.Enqueue((id, (await bob.GetAsync($"rooms/{roomId}/messages/{id}")).StatusCode)));
        });

        // Act
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => alice.SendAsync(roomId, $"m{i}")));

        // Assert
        for (var attempt = 0; attempt < 100 && readable.Count < 20; attempt++)
            await Task.Delay(100);
        Assert.Equal(20, readable.Count);
        Assert.All(readable, r => Assert.True(r.Status == HttpStatusCode.OK, $"message {r.Id} was announced but reading it answered {(int)r.Status}"));
    }
}

/// <summary>
/// The sample host on a test server, with a transaction interceptor that drops the connection of a
/// request carrying <see cref="Header"/> right after its transaction commits: the moment a client
/// that disconnects leaves a committed change behind.
/// </summary>
public abstract class DisconnectingChatApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
{
    public const string Header = "X-Test-Disconnect-After-Commit";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton<DisconnectAfterCommitInterceptor>();
            services.ConfigureDbContext<SqliteAppDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<DisconnectAfterCommitInterceptor>()));
            services.ConfigureDbContext<PostgresAppDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<DisconnectAfterCommitInterceptor>()));
        });
    }

    private sealed class DisconnectAfterCommitInterceptor(IHttpContextAccessor accessor) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Disconnect();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Disconnect();
            return Task.CompletedTask;
        }

        private void Disconnect()
        {
            if (accessor.HttpContext is { } http && http.Request.Headers.ContainsKey(Header))
                http.Abort();
        }
    }
}

public sealed class SqliteDisconnectingChatApi() : DisconnectingChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresDisconnectingChatApi() : DisconnectingChatApi(DatabaseProvider.Postgres);

public sealed class SqliteOutboxDeliveryTests(SqliteDisconnectingChatApi api) : OutboxDeliveryTests(api), IClassFixture<SqliteDisconnectingChatApi>;

public sealed class PostgresOutboxDeliveryTests(PostgresDisconnectingChatApi api) : OutboxDeliveryTests(api), IClassFixture<PostgresDisconnectingChatApi>;
