using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfChat.Tests.Http;

/// <summary>
/// API.md §8 under races: thread replies racing each other and their root's deletion, and pins racing to the
/// limit. Whatever runs side by side, no answer is above 499 and the effect is exact afterwards: a root's
/// <c>threadReplyCount</c> and <c>threadLastReplyAt</c> are what its stored replies say, no reply outlives its
/// root, and a room never holds more than 50 pins.
/// </summary>
public abstract class ConversationRaceTests(ConversationRaceApi api) : HttpTestBase(api)
{
    private readonly BatchFallbackCounter _fallbacks = api.Fallbacks;

    private Task<ChatUser[]> UsersAsync(int count, string name) =>
        WritePath.BoundedAsync(Enumerable.Range(0, count).ToList(), 8, i => Api.CreateUserAsync($"{name}{i}"));

    private static Func<ChatUser, Task<HttpResponseMessage>> Reply(string roomId, string rootId, string text, string? clientMessageId = null) =>
        u => u.PostAsync($"rooms/{roomId}/messages", clientMessageId is null ? new { text, threadId = rootId } : new { text, threadId = rootId, clientMessageId });

    [SkippableFact]
    public async Task SendThreadReply_ManyConcurrentWithRepeatedClientMessageIds_RootCountLastReplyAndThreadExact()
    {
        // Arrange: 4 members of a group reply to one root of the owner.
        var owner = await UserAsync("owner");
        var members = await UsersAsync(4, "member");
        var roomId = await owner.CreateGroupAsync(members);
        var rootId = await owner.SendIdAsync(roomId, "root");
        var outcomes = new ConcurrentQueue<Outcome>();
        var fallbacksBefore = _fallbacks.Count;

        // Act: a round is 40 replies of 4 members and, among them, 10 repeats of one clientMessageId by member 0, all at
        // once. Repeats saved in one batch fail its shared save (the unique index), and the batch then reruns each send
        // alone. Rounds go on (at most 20) until that fall-back has run.
        var rounds = 0;
        for (; rounds < 20 && (rounds == 0 || _fallbacks.Count == fallbacksBefore); rounds++)
        {
            var round = rounds;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var requests = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            {
                await go.Task;
                return i % 5 == 4
                    ? await Outcome.OfAsync($"repeat {round}", members[0], Reply(roomId, rootId, $"repeat {round}", $"repeat-{round}"))
                    : await Outcome.OfAsync("reply", members[i % 4], Reply(roomId, rootId, $"r{round}-{i}"));
            })).ToList();
            go.SetResult();
            foreach (var outcome in await Task.WhenAll(requests))
                outcomes.Enqueue(outcome);
        }

        // Assert: every reply created; the repeats of a round created one message, which the others answered.
        Assert.True(_fallbacks.Count > fallbacksBefore, $"No batch of replies ran its sends one by one in {rounds} rounds.");
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "reply", 201);
        for (var round = 0; round < rounds; round++)
        {
            var repeats = outcomes.Where(o => o.Action == $"repeat {round}").ToList();
            WritePath.AllAre(repeats, $"repeat {round}", 200, 201);
            Assert.Single(repeats, o => o.Status == 201);
            Assert.Single(repeats.Select(o => o.Json.Str("id")).Distinct());
        }

        var created = outcomes.Where(o => o.Status == 201).Select(o => o.Json).ToList();
        Assert.Equal(rounds * 41, created.Count);
        Assert.All(created, reply => Assert.Equal(rootId, reply.Str("threadId")));

        // The thread lists each created reply once, oldest first; the root counts them and shows the newest's time.
        var thread = await AllAsync(owner, $"rooms/{roomId}/messages/{rootId}/thread?limit=30");
        Assert.Equal(created.Select(r => r.Str("id")).Order(StringComparer.Ordinal), thread.Select(r => r.Str("id")).Order(StringComparer.Ordinal));
        Assert.Equal(thread.Select(r => long.Parse(r.Str("id"), CultureInfo.InvariantCulture)).Order(), thread.Select(r => long.Parse(r.Str("id"), CultureInfo.InvariantCulture)));
        var root = await owner.GetJsonAsync($"rooms/{roomId}/messages/{rootId}");
        Assert.Equal(created.Count, root.Prop("threadReplyCount").GetInt32());
        var newest = created.Max(r => HttpAssert.Timestamp(r.Prop("createdAt")));
        Assert.Equal(newest, thread.Max(r => HttpAssert.Timestamp(r.Prop("createdAt"))));
        Assert.Equal(newest, HttpAssert.Timestamp(root.Prop("threadLastReplyAt")));

        // Replies stay out of the room's list; each sent one messageUpdated of its root, whose counts rise one by one.
        Assert.Equal([rootId], HttpAssert.Ids(await owner.GetJsonAsync($"rooms/{roomId}/messages?limit=100")));
        var events = await WritePath.AllEventsAsync(owner, roomId);
        WritePath.SeqIsGapless(events);
        Assert.Equal(
            created.Select(r => r.Str("id")).Order(StringComparer.Ordinal),
            events.Where(e => e.Str("type") == ChatEventNames.MessageCreated && e.Prop("payload").NullableStr("threadId") == rootId)
                .Select(e => e.Prop("payload").Str("id")).Order(StringComparer.Ordinal));
        var rootUpdates = events.Where(e => e.Str("type") == ChatEventNames.MessageUpdated && e.Prop("payload").Str("id") == rootId).ToList();
        Assert.Equal(Enumerable.Range(1, created.Count), rootUpdates.Select(e => e.Prop("payload").Prop("threadReplyCount").GetInt32()));
    }

    [SkippableFact]
    public async Task PinMessage_TwentyConcurrentWith45Pinned_FiveSucceedRest409AndFiftyListed()
    {
        // Arrange: 4 members who may pin (can_edit_room) in a group with 65 messages, 45 of them pinned.
        const int Pinned = 45;
        var owner = await UserAsync("owner");
        var roomId = await owner.CreateGroupAsync();
        var pinners = await UsersAsync(4, "pinner");
        foreach (var pinner in pinners)
            await owner.AddMemberAsync(roomId, pinner, ["can_edit_room"]);
        var messageIds = new List<string>();
        for (var i = 0; i < Pinned + 20; i++)
            messageIds.Add(await owner.SendIdAsync(roomId, $"m{i}"));
        var first = await WritePath.BoundedAsync(messageIds[..Pinned], 4, id => Outcome.OfAsync("pin", owner, u => u.PostAsync($"rooms/{roomId}/messages/{id}/pin")));
        WritePath.AllAre(first, "pin", 200);

        // Act: 20 other messages pinned at once by the 4 pinners.
        var racing = await Task.WhenAll(messageIds[Pinned..].Select((id, i) =>
            Task.Run(() => Outcome.OfAsync("pin", pinners[i % 4], u => u.PostAsync($"rooms/{roomId}/messages/{id}/pin")))));

        // Assert: 5 pinned, 15 refused for the limit, and the room's pins are the 45 and those 5.
        WritePath.NoServerError(racing);
        WritePath.AllAre(racing, "pin", 200, 409);
        var pinned = racing.Where(o => o.Status == 200).ToList();
        Assert.Equal(5, pinned.Count);
        Assert.All(pinned, o => Assert.Equal(JsonValueKind.String, o.Json.Prop("pinnedAt").ValueKind));
        Assert.All(racing.Where(o => o.Status == 409), o => Assert.Equal("too_many_pins", o.Json.Str("code")));
        var listed = await AllAsync(owner, $"rooms/{roomId}/pins?limit=15");
        Assert.Equal(
            messageIds[..Pinned].Concat(pinned.Select(o => o.Json.Str("id"))).Order(StringComparer.Ordinal),
            listed.Select(m => m.Str("id")).Order(StringComparer.Ordinal));
        foreach (var refused in messageIds[Pinned..].Except(pinned.Select(o => o.Json.Str("id"))))
            Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"rooms/{roomId}/messages/{refused}")).Prop("pinnedAt").ValueKind);
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostApp.Data.AppDbContext>();
        var room = long.Parse(roomId, CultureInfo.InvariantCulture);
        Assert.Equal(50, await db.Set<ChatMessagePin<string>>().CountAsync(p => p.RoomId == room));
    }

    [SkippableFact]
    public async Task SendThreadReply_WhileItsRootIsDeleted_CreatedAndDeletedWithItOrRefusedNoOrphan()
    {
        // Arrange: 3 members reply in a group; each round the owner posts a root it deletes and one it keeps.
        const int Rounds = 12;
        var owner = await UserAsync("owner");
        var repliers = await UsersAsync(3, "replier");
        var roomId = await owner.CreateGroupAsync(repliers);
        var outcomes = new ConcurrentQueue<Outcome>();
        var doomedRoots = new List<string>();
        var keptRoots = new List<string>();

        // Act: the repliers reply to the doomed root (and react to their replies) and once to the kept one, while the
        // owner deletes the doomed root: at once, a moment later, or once a reply was created. After the delete has
        // answered, each replies once more.
        for (var round = 0; round < Rounds; round++)
        {
            var doomed = await owner.SendIdAsync(roomId, $"doomed {round}");
            var kept = await owner.SendIdAsync(roomId, $"kept {round}");
            doomedRoots.Add(doomed);
            keptRoots.Add(kept);
            var replied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var wait = round % 3;
            var deleting = Task.Run(async () =>
            {
                if (wait == 1)
                    await Task.Delay(3);
                else if (wait == 2)
                    await replied.Task.WaitAsync(TimeSpan.FromSeconds(30));
                var deletion = await Outcome.OfAsync("delete root", owner, u => u.DeleteAsync($"rooms/{roomId}/messages/{doomed}"));
                outcomes.Enqueue(deletion);
            });
            var replying = repliers.Select((replier, k) => Task.Run(async () =>
            {
                for (var i = 0; i < 4; i++)
                {
                    var reply = await Outcome.OfAsync("reply", replier, Reply(roomId, doomed, $"r{round}-{k}-{i}"));
                    outcomes.Enqueue(reply);
                    if (reply.Status == 201)
                    {
                        replied.TrySetResult();
                        outcomes.Enqueue(await Outcome.OfAsync("react", replier, u => u.PostAsync($"rooms/{roomId}/messages/{reply.Json.Str("id")}/reactions", new { reaction = "like" })));
                    }

                    if (i == 1)
                        outcomes.Enqueue(await Outcome.OfAsync("reply kept", replier, Reply(roomId, kept, $"k{round}-{k}")));
                }

                await deleting;
                outcomes.Enqueue(await Outcome.OfAsync("late reply", replier, Reply(roomId, doomed, $"late {round}-{k}")));
            }));
            await Task.WhenAll(replying.Append(deleting));
        }

        // Assert: a reply to the doomed root was created or refused for its threadId; after the delete, refused.
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "delete root", 204);
        WritePath.AllAre(outcomes, "reply", 201, 400);
        WritePath.AllAre(outcomes, "late reply", 400);
        WritePath.AllAre(outcomes, "reply kept", 201);
        WritePath.AllAre(outcomes, "react", 201, 404);
        Assert.All(outcomes.Where(o => o.Status == 400), o => Assert.True(o.Json.Prop("errors").TryGetProperty("threadId", out _), o.ToString()));
        var createdReplies = outcomes.Where(o => o is { Action: "reply", Status: 201 }).Select(o => o.Json.Str("id")).ToList();
        Assert.NotEmpty(createdReplies);

        // Every created reply went with its root: not found, and a messageDeleted of it in the log.
        foreach (var reply in createdReplies)
            await HttpAssert.NotFoundAsync(await owner.GetAsync($"rooms/{roomId}/messages/{reply}"), "message_not_found");
        var events = await WritePath.AllEventsAsync(owner, roomId);
        WritePath.SeqIsGapless(events);
        var deletedIds = events.Where(e => e.Str("type") == ChatEventNames.MessageDeleted).Select(e => e.Prop("payload").Str("messageId")).ToHashSet(StringComparer.Ordinal);
        Assert.All(createdReplies.Concat(doomedRoots), id => Assert.Contains(id, deletedIds));

        // The room lists the kept roots only, each counting its 3 replies, as its thread and the rows say.
        Assert.Equal(keptRoots.Order(StringComparer.Ordinal), HttpAssert.Ids(await owner.GetJsonAsync($"rooms/{roomId}/messages?limit=100")).Order(StringComparer.Ordinal));
        foreach (var kept in keptRoots)
        {
            var root = await owner.GetJsonAsync($"rooms/{roomId}/messages/{kept}");
            var thread = await AllAsync(owner, $"rooms/{roomId}/messages/{kept}/thread?limit=100");
            Assert.Equal((3, 3), (root.Prop("threadReplyCount").GetInt32(), thread.Count));
            Assert.Equal(thread.Max(r => HttpAssert.Timestamp(r.Prop("createdAt"))), HttpAssert.Timestamp(root.Prop("threadLastReplyAt")));
        }

        // No row is left of a deleted root's thread: no reply without its root, no reaction without its message.
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostApp.Data.AppDbContext>();
        var room = long.Parse(roomId, CultureInfo.InvariantCulture);
        var messages = db.Set<ChatMessage<string>>().Where(m => m.RoomId == room);
        Assert.Equal(0, await messages.CountAsync(m => m.ThreadId != null && !messages.Any(r => r.Id == m.ThreadId)));
        Assert.Equal(Rounds * 3, await messages.CountAsync(m => m.ThreadId != null));
        Assert.Equal(0, await db.Set<ChatMessageReaction<string>>().CountAsync(r => r.RoomId == room && !messages.Any(m => m.Id == r.MessageId)));
        var counted = await messages.Where(m => m.ThreadId == null)
            .Select(m => new { m.ThreadReplyCount, Replies = messages.Count(r => r.ThreadId == m.Id) }).ToListAsync();
        Assert.All(counted, c => Assert.Equal(c.Replies, c.ThreadReplyCount));
    }

    /// <summary>Every item of a list route, read page by page through <c>nextCursor</c>.</summary>
    private static async Task<List<JsonElement>> AllAsync(ChatUser reader, string path)
    {
        var items = new List<JsonElement>();
        for (string? cursor = null; ;)
        {
            var page = await reader.GetJsonAsync(cursor is null ? path : $"{path}&cursor={Uri.EscapeDataString(cursor)}");
            items.AddRange(page.Items());
            if ((cursor = page.Cursor()) is null)
                return items;
            Assert.True(items.Count < 10_000, $"{path} did not end.");
        }
    }
}

/// <summary>
/// Counts the write queue's warning that a batch failed and runs each of its writes alone (event 1103), so that a
/// race test can tell it reached that fall-back.
/// </summary>
public sealed class BatchFallbackCounter : ILoggerProvider
{
    private const string Category = "DfChat.Writes.ChatWriteQueue";
    private const int RunningEachAlone = 1103;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Counting(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Counting(BatchFallbackCounter counter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == RunningEachAlone)
                Interlocked.Increment(ref counter._count);
        }
    }
}

/// <summary>An unthrottled host whose write queue's fall-backs are counted (<see cref="BatchFallbackCounter"/>).</summary>
public abstract class ConversationRaceApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
{
    public BatchFallbackCounter Fallbacks { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Fallbacks));
    }
}

public sealed class SqliteConversationRaceApi() : ConversationRaceApi(DatabaseProvider.Sqlite);

public sealed class PostgresConversationRaceApi() : ConversationRaceApi(DatabaseProvider.Postgres);

public sealed class SqliteConversationRaceTests(SqliteConversationRaceApi api) : ConversationRaceTests(api), IClassFixture<SqliteConversationRaceApi>;

public sealed class PostgresConversationRaceTests(PostgresConversationRaceApi api) : ConversationRaceTests(api), IClassFixture<PostgresConversationRaceApi>;
