using System.Diagnostics;
using DfChat.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using static DfChat.Bench.Seeding.MembershipSeeder;

namespace DfChat.Bench.Seeding;

/// <summary>
/// Message histories at scale, straight into the sample host's database: a million messages through the API
/// would take hours of sends, each paying for the write path the send scenario measures. Rows go in as the
/// write path would leave them (messages numbered from 1 per room, in id order), then the rooms and
/// memberships are brought in line with the chat's invariants: the room's <c>LastMessageNumber</c>,
/// <c>LastMessageId</c>, <c>LastActivityAt</c> and <c>LatestLastSeenAt</c>, and each member's
/// <c>ReadNumber</c>, <c>ReadExclusions</c> and <c>LastSeenAt</c>, so that
/// <c>unread = LastMessageNumber − ReadNumber − ReadExclusions</c> (<c>Rules/UnreadCounts.cs</c>) holds.
/// Seeded messages have no room events: like history imported before the room's first event, their
/// rooms' <c>LastSeq</c> is left as it is.
/// </summary>
internal static class HistorySeeder
{
    private const int SqliteTransactionSize = 50_000;

    /// <summary>One message to insert.</summary>
    public readonly record struct MessageRow(long RoomId, long Number, string UserId, string Text, DateTime CreatedAt, string? Mentions = null);

    /// <summary>
    /// Gives an empty room, created over HTTP, a history of <paramref name="count"/> messages by
    /// <paramref name="authors"/> in turn, one every <paramref name="spacing"/> up to a minute ago; every
    /// member has read all of it. Returns the seconds the seeding took.
    /// </summary>
    public static async Task<double> SeedRoomHistoryAsync(
        string provider, string connectionString, string roomId, IReadOnlyList<string> authors, int count, TimeSpan spacing, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var room = long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture);
        var last = Truncate(DateTime.UtcNow.AddMinutes(-1));
        var first = last - (spacing * (count - 1));
        await using (var db = HostDatabase.Open(provider, connectionString))
        {
            var existing = await db.Set<ChatRoom<string>>().Where(r => r.Id == room).Select(r => r.LastMessageNumber).SingleAsync(cancellationToken);
            if (existing != 0)
                throw new InvalidOperationException($"Room {roomId} already has messages: history goes into an empty room.");
        }

        Console.WriteLine($"  room checked after {clock.Elapsed.TotalSeconds:F1} s");
        await InsertMessagesAsync(provider, connectionString, Enumerable.Range(1, count).Select(n =>
            new MessageRow(room, n, authors[n % authors.Count], Text(n), first + (spacing * (n - 1)))), cancellationToken);

        Console.WriteLine($"  {count:N0} messages inserted after {clock.Elapsed.TotalSeconds:F1} s");
        await using (var db = HostDatabase.Open(provider, connectionString))
        {
            var createdAt = first.AddSeconds(-1);
            await db.Set<ChatRoom<string>>().Where(r => r.Id == room).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.CreatedAt, createdAt)
                .SetProperty(r => r.LastMessageNumber, count)
                .SetProperty(r => r.LastMessageId, r => db.Set<ChatMessage<string>>().Where(m => m.RoomId == r.Id).Max(m => (long?)m.Id))
                .SetProperty(r => r.LastActivityAt, last)
                .SetProperty(r => r.LatestLastSeenAt, last), cancellationToken);
            await db.Set<ChatRoomUser<string>>().Where(m => m.RoomId == room).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CreatedAt, createdAt)
                .SetProperty(m => m.LastSeenAt, last)
                .SetProperty(m => m.ReadNumber, count)
                .SetProperty(m => m.ReadExclusions, 0), cancellationToken);
        }

        await AnalyzeAsync(provider, connectionString, cancellationToken);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Puts <paramref name="reader"/> and <paramref name="caughtUp"/> into <paramref name="rooms"/> new group
    /// rooms of <paramref name="author"/>'s, each with <paramref name="perRoom"/> messages by the author:
    /// <paramref name="reader"/> has read none of them, <paramref name="caughtUp"/> all of them. The rooms'
    /// activity is spread over the past month, one room an hour. With <paramref name="mentionEvery"/> above 0,
    /// every message numbered a multiple of it mentions <paramref name="reader"/> (the message's <c>Mentions</c>,
    /// as a send with mentions stores them) and the reader's
    /// <c>MentionCount</c> in each room says how many of its unread messages do (API.md §8). Returns the
    /// seconds the seeding took.
    /// </summary>
    public static async Task<double> SeedInboxAsync(
        string provider, string connectionString, string author, string reader, string caughtUp, int rooms, int perRoom, CancellationToken cancellationToken, int mentionEvery = 0)
    {
        var readerMentions = mentionEvery > 0 ? System.Text.Json.JsonSerializer.Serialize(new[] { reader }) : null;
        string? MentionsOf(int n) => mentionEvery > 0 && n % mentionEvery == 0 ? readerMentions : null;
        var clock = Stopwatch.StartNew();
        var start = Truncate(DateTime.UtcNow.AddHours(-rooms - 1));
        DateTime RoomStart(int i) => start.AddHours(i);
        DateTime MessageAt(int i, int n) => RoomStart(i).AddSeconds(n);
        var ownerPermissions = GroupMemberPermissions;

        long[] roomIds;
        await using (var db = HostDatabase.Open(provider, connectionString))
        {
            var created = Enumerable.Range(0, rooms).Select(i => new ChatRoom<string>
            {
                Type = ChatRoomType.Group,
                Name = $"Inbox room {i}",
                NormalizedName = $"inbox room {i}",
                CreatedAt = RoomStart(i),
                CreatedBy = author,
                LastActivityAt = MessageAt(i, perRoom),
                LastMessageNumber = perRoom,
                LatestLastSeenAt = MessageAt(i, perRoom),
                MemberCount = 3,
            }).ToList();
            db.AddRange(created);
            await db.SaveChangesAsync(cancellationToken);
            roomIds = [.. created.Select(r => r.Id)];

            ChatRoomUser<string> Member(ChatRoom<string> room, string user, bool owner, DateTime seen, long readNumber, long exclusions, int mentions = 0) => new()
            {
                MentionCount = mentions,
                RoomId = room.Id,
                UserId = user,
                IsOwner = owner,
                Permissions = ownerPermissions,
                LastSeenAt = seen,
                ReadNumber = readNumber,
                ReadExclusions = exclusions,
                CreatedBy = author,
                CreatedAt = room.CreatedAt,
            };

            db.ChangeTracker.Clear();
            db.AddRange(created.SelectMany(r => new[]
            {
                // The author's own messages never count for it.
                Member(r, author, owner: true, r.CreatedAt, readNumber: 0, exclusions: perRoom),
                Member(r, reader, owner: false, r.CreatedAt, readNumber: 0, exclusions: 0, mentions: mentionEvery > 0 ? perRoom / mentionEvery : 0),
                Member(r, caughtUp, owner: false, r.LastActivityAt, readNumber: perRoom, exclusions: 0),
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        Console.WriteLine($"  rooms and memberships inserted after {clock.Elapsed.TotalSeconds:F1} s");
        await InsertMessagesAsync(provider, connectionString, Enumerable.Range(0, rooms).SelectMany(i => Enumerable.Range(1, perRoom).Select(n =>
            new MessageRow(roomIds[i], n, author, Text(n), MessageAt(i, n), MentionsOf(n)))), cancellationToken);

        Console.WriteLine($"  messages inserted after {clock.Elapsed.TotalSeconds:F1} s");

        // Without statistics of the rows just copied, PostgreSQL may plan each room's last message as a scan.
        await AnalyzeAsync(provider, connectionString, cancellationToken);
        await using (var db = HostDatabase.Open(provider, connectionString))
        {
            await db.Set<ChatRoom<string>>().Where(r => r.CreatedBy == author).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.LastMessageId, r => db.Set<ChatMessage<string>>().Where(m => m.RoomId == r.Id).Max(m => (long?)m.Id)), cancellationToken);
        }

        await AnalyzeAsync(provider, connectionString, cancellationToken);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The id of the message <paramref name="offset"/> places from the newest of a room (0: the newest).</summary>
    public static async Task<long> MessageIdFromNewestAsync(string provider, string connectionString, string roomId, int offset, CancellationToken cancellationToken)
    {
        await using var db = HostDatabase.Open(provider, connectionString);
        var room = long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture);
        return await db.Set<ChatMessage<string>>().Where(m => m.RoomId == room && m.ThreadId == null)
            .OrderByDescending(m => m.Id).Skip(offset).Select(m => m.Id).FirstAsync(cancellationToken);
    }

    /// <summary>A word in every seeded message: what a search for a common word finds (<c>SearchScenario</c>).</summary>
    public const string CommonWord = "ordinary";

    /// <summary>A word in one seeded message of every <see cref="RareEvery"/>: what a search for a rare word finds.</summary>
    public const string RareWord = "quiet";

    /// <summary>How often <see cref="RareWord"/> occurs: in the messages numbered 1,000, 2,000, and so on.</summary>
    public const int RareEvery = 1000;

    private static string Text(long number) =>
        $"Message {number}: an {CommonWord} sentence of an {CommonWord} length, as people write them in a {(number % RareEvery == 0 ? RareWord : "busy")} room.";

    /// <summary>
    /// Gives the newest <paramref name="count"/> messages of a seeded room what API.md §8 adds to a message, as
    /// the chat would have stored them: every fourth mentions two members (<c>Mentions</c>), every tenth has a
    /// thread of two replies (reply rows with <c>ThreadId</c>, the root's <c>ThreadReplyCount</c> and <c>ThreadLastReplyAt</c>), and three are
    /// pinned (<c>ChatMessagePins</c> and <c>PinnedAt</c>). Members have read everything, so no mention
    /// or unread count changes. Returns the seconds it took.
    /// </summary>
    public static async Task<double> SeedConversationFieldsAsync(
        string provider, string connectionString, string roomId, IReadOnlyList<string> members, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var room = long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture);
        await using var db = HostDatabase.Open(provider, connectionString);
        var newest = await db.Set<ChatMessage<string>>().Where(m => m.RoomId == room && m.ThreadId == null)
            .OrderByDescending(m => m.Id).Take(count).ToListAsync(cancellationToken);
        var mentioned = members.Skip(1).Take(2).ToArray();
        var mentions = System.Text.Json.JsonSerializer.Serialize(mentioned);
        var pinned = 0;
        for (var i = 0; i < newest.Count; i++)
        {
            var message = newest[i];
            if (i % 4 == 1)
                message.Mentions = mentions;

            if (i % 10 == 3)
            {
                var replies = Enumerable.Range(1, 2).Select(r => new ChatMessage<string>
                {
                    RoomId = room,
                    UserId = members[r % members.Count],
                    Text = $"A reply {r} in the thread of message {message.Id}.",
                    CreatedAt = message.CreatedAt.AddTicks(r * 10),
                    HasMedia = false,
                    ReactionCount = 0,
                    ThreadId = message.Id,
                }).ToList();
                db.AddRange(replies);
                message.ThreadReplyCount = replies.Count;
                message.ThreadLastReplyAt = replies[^1].CreatedAt;
            }

            if (i % 30 == 7 && pinned < 3)
            {
                var pinnedAt = message.CreatedAt.AddTicks(50);
                message.PinnedAt = pinnedAt;
                db.Add(new ChatMessagePin<string> { RoomId = room, MessageId = message.Id, PinnedBy = members[0], PinnedAt = pinnedAt });
                pinned++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await AnalyzeAsync(provider, connectionString, cancellationToken);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The chat stores times to the microsecond (PostgreSQL's precision): seeded times are too.</summary>
    private static DateTime Truncate(DateTime time) => new(time.Ticks - (time.Ticks % 10), DateTimeKind.Utc);

    /// <summary>
    /// Bulk insert: on SQLite one prepared statement, re-bound per row, in transactions of 50,000 rows; on
    /// PostgreSQL one binary <c>COPY</c>. Each row says, as a message DfChat stored would, that it has no media
    /// and no reactions.
    /// </summary>
    private static async Task InsertMessagesAsync(string provider, string connectionString, IEnumerable<MessageRow> rows, CancellationToken cancellationToken)
    {
        if (provider == "sqlite")
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO "ChatMessages" ("RoomId", "Number", "UserId", "Text", "CreatedAt", "HasMedia", "ReactionCount", "Mentions")
                VALUES ($room, $number, $user, $text, $created, 0, 0, $mentions)
                """;
            var room = command.Parameters.Add("$room", SqliteType.Integer);
            var number = command.Parameters.Add("$number", SqliteType.Integer);
            var user = command.Parameters.Add("$user", SqliteType.Text);
            var text = command.Parameters.Add("$text", SqliteType.Text);
            var created = command.Parameters.Add("$created", SqliteType.Text);
            var mentions = command.Parameters.Add("$mentions", SqliteType.Text);
            var inTransaction = 0;
            var transaction = connection.BeginTransaction();
            try
            {
                command.Transaction = transaction;
                command.Prepare();
                foreach (var row in rows)
                {
                    (room.Value, number.Value, user.Value, text.Value, created.Value, mentions.Value) = (row.RoomId, row.Number, row.UserId, row.Text, row.CreatedAt, (object?)row.Mentions ?? DBNull.Value);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    if (++inTransaction < SqliteTransactionSize)
                        continue;
                    await transaction.CommitAsync(cancellationToken);
                    await transaction.DisposeAsync();
                    transaction = connection.BeginTransaction();
                    command.Transaction = transaction;
                    inTransaction = 0;
                }

                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                await transaction.DisposeAsync();
            }

            return;
        }

        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync(cancellationToken);
        await using var import = await pg.BeginBinaryImportAsync(
            """COPY "ChatMessages" ("RoomId", "Number", "UserId", "Text", "CreatedAt", "HasMedia", "ReactionCount", "Mentions") FROM STDIN (FORMAT BINARY)""", cancellationToken);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(row.RoomId, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(row.Number, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(row.UserId, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.Text, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await import.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
            await import.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
            if (row.Mentions is null)
                await import.WriteNullAsync(cancellationToken);
            else
                await import.WriteAsync(row.Mentions, NpgsqlDbType.Text, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// On PostgreSQL, statistics as autovacuum would soon gather them on a real database (a bulk load leaves
    /// the planner guessing). SQLite has none unless someone runs ANALYZE, which the sample host does not.
    /// </summary>
    private static async Task AnalyzeAsync(string provider, string connectionString, CancellationToken cancellationToken)
    {
        if (provider != "postgres")
            return;
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync(cancellationToken);
        await using var analyze = new NpgsqlCommand("""ANALYZE "ChatMessages", "ChatRooms", "ChatRoomUsers", "AspNetUsers", "ChatMessagePins" """, pg);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }
}
