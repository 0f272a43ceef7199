using System.Text.Json;

namespace DfChat.Tests.Http.Infrastructure;

/// <summary>
/// A test host with the per-user rate limits off (API.md §2, <c>DfChat__RateLimits__Enabled=false</c>),
/// for race and load tests that send more messages per user and minute than a person would.
/// </summary>
public abstract class UnthrottledChatApi(DatabaseProvider provider) : ChatApiFactory(provider)
{
    public const string RateLimitsSetting = "DfChat:RateLimits:Enabled";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { [RateLimitsSetting] = "false" };
}

public sealed class SqliteUnthrottledChatApi() : UnthrottledChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresUnthrottledChatApi() : UnthrottledChatApi(DatabaseProvider.Postgres);

/// <summary>One answer of a race, kept with its body so that a failure shows what the server said.</summary>
public sealed record Outcome(string Action, string UserId, int Status, string Body)
{
    /// <summary>Sends one request of a race and records its answer.</summary>
    public static async Task<Outcome> OfAsync(string action, ChatUser user, Func<ChatUser, Task<HttpResponseMessage>> request)
    {
        using var response = await request(user);
        return new Outcome(action, user.Id, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public override string ToString() => $"{Action} by {UserId}: {Status} {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
}

/// <summary>Reads whole lists through their cursors, and checks races by the contract's definitions.</summary>
public static class WritePath
{
    /// <summary>Asserts that no answer of a race is above 499 (API.md §2: no race between clients yields a 5xx, 503 included).</summary>
    public static void NoServerError(IEnumerable<Outcome> outcomes)
    {
        var all = outcomes.ToList();
        var failed = all.Where(o => o.Status > 499).ToList();
        Assert.True(
            failed.Count == 0,
            $"{failed.Count} of {all.Count} answers above 499 ({string.Join(", ", failed.GroupBy(f => $"{f.Action} {f.Status}").Select(g => $"{g.Key} ×{g.Count()}"))}); first ones:\n"
            + string.Join('\n', failed.Take(5)));
    }

    /// <summary>Asserts that every answer to <paramref name="action"/> has one of <paramref name="statuses"/>.</summary>
    public static void AllAre(IEnumerable<Outcome> outcomes, string action, params int[] statuses)
    {
        var wrong = outcomes.Where(o => o.Action == action && !statuses.Contains(o.Status)).ToList();
        Assert.True(
            wrong.Count == 0,
            $"{wrong.Count} answers to '{action}' are not {string.Join(" or ", statuses)}; first ones:\n" + string.Join('\n', wrong.Take(5)));
    }

    /// <summary>Every message of a room, newest first, read page by page (limit 100) through <c>nextCursor</c>.</summary>
    public static Task<List<JsonElement>> AllMessagesAsync(ChatUser reader, string roomId) => AllAsync(reader, $"rooms/{roomId}/messages?limit=100");

    /// <summary>Every member of a room, read page by page through <c>nextCursor</c>.</summary>
    public static Task<List<JsonElement>> AllMembersAsync(ChatUser reader, string roomId) => AllAsync(reader, $"rooms/{roomId}/users?limit=100");

    /// <summary>
    /// Every event of a room after <paramref name="after"/>, oldest first, through
    /// <c>GET /rooms/{roomId}/events?after=&amp;limit=</c> and its <c>nextCursor</c> (sent back as <c>cursor</c>,
    /// with the first <c>after</c> kept, as <c>?after=</c> of messages pages).
    /// </summary>
    public static Task<List<JsonElement>> AllEventsAsync(ChatUser reader, string roomId, long after = 0, int limit = 100) =>
        AllAsync(reader, $"rooms/{roomId}/events?after={after}&limit={limit}", limit);

    private static async Task<List<JsonElement>> AllAsync(ChatUser reader, string path, int limit = 100)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < 10_000; page++)
        {
            var json = await reader.GetJsonAsync(cursor is null ? path : $"{path}&cursor={Uri.EscapeDataString(cursor)}");
            var pageItems = json.Items();
            Assert.True(pageItems.Count <= limit, $"{pageItems.Count} items on a page of limit {limit} ({path}).");
            items.AddRange(pageItems);
            cursor = json.Cursor();
            if (cursor is null)
                return items;
            Assert.True(pageItems.Count > 0, $"An empty page with a nextCursor ({path}).");
        }

        throw new InvalidOperationException($"{path} did not end after 10,000 pages.");
    }

    /// <summary>Asserts that <paramref name="events"/> (oldest first) have <c>seq</c> exactly 1..N, without a gap or a duplicate.</summary>
    public static void SeqIsGapless(IReadOnlyList<JsonElement> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var seq = events[i].Prop("seq").GetInt64();
            Assert.True(seq == i + 1, $"Event #{i + 1} of {events.Count} has seq {seq}, expected {i + 1} (previous: {(i > 0 ? events[i - 1].Prop("seq").GetInt64() : 0)}); item: {events[i]}");
        }
    }

    /// <summary>
    /// The unread count of API.md §3, recomputed from the room's messages: messages created after the
    /// member's <c>lastSeenAt</c>, by others (deleted messages are no longer listed).
    /// </summary>
    public static int ExpectedUnread(IEnumerable<JsonElement> messages, string userId, DateTime lastSeenAt) =>
        messages.Count(m => m.Str("userId") != userId && HttpAssert.Timestamp(m.Prop("createdAt")) > lastSeenAt);

    /// <summary>Asserts that <paramref name="member"/>'s <c>membership.unreadCount</c> equals the count recomputed from <paramref name="messages"/>.</summary>
    public static async Task UnreadIsExactAsync(ChatUser member, string roomId, IReadOnlyList<JsonElement> messages)
    {
        var room = await member.GetJsonAsync($"rooms/{roomId}");
        var membership = room.Prop("membership");
        Assert.True(membership.ValueKind == JsonValueKind.Object, $"{member.Id} is listed as a member but GET /rooms/{roomId} has no membership: {room}");
        var lastSeenAt = HttpAssert.Timestamp(membership.Prop("lastSeenAt"));
        var expected = ExpectedUnread(messages, member.Id, lastSeenAt);
        var actual = membership.Prop("unreadCount").GetInt32();
        Assert.True(
            expected == actual,
            $"unreadCount of {member.Id} is {actual}, but {expected} of the room's {messages.Count} messages are by others and newer than its lastSeenAt {membership.Str("lastSeenAt")}.");
    }

    /// <summary>
    /// Asserts that <paramref name="member"/>'s <c>membership.mentionCount</c> (API.md §8) equals the count recomputed from
    /// <paramref name="messages"/>: messages by others, newer than its <c>lastSeenAt</c>, that mention it.
    /// </summary>
    public static async Task MentionCountIsExactAsync(ChatUser member, string roomId, IReadOnlyList<JsonElement> messages)
    {
        var membership = (await member.GetJsonAsync($"rooms/{roomId}")).Prop("membership");
        var lastSeenAt = HttpAssert.Timestamp(membership.Prop("lastSeenAt"));
        var expected = messages.Count(m => m.Str("userId") != member.Id && HttpAssert.Timestamp(m.Prop("createdAt")) > lastSeenAt && m.Strings("mentions").Contains(member.Id));
        Assert.Equal(expected, membership.Prop("mentionCount").GetInt32());
    }

    /// <summary>Runs <paramref name="work"/> for each item with at most <paramref name="parallel"/> at a time, keeping the order of the results.</summary>
    public static async Task<T[]> BoundedAsync<TItem, T>(IReadOnlyList<TItem> items, int parallel, Func<TItem, Task<T>> work)
    {
        var results = new T[items.Count];
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(items.Select(async (item, i) =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await work(item);
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }
}
