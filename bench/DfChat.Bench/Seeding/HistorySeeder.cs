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
    public readonly record struct MessageRow(long RoomId, long Number, string UserId, string Text, DateTime CreatedAt);

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
    /// activity is spread over the past month, one room an hour. Returns the seconds the seeding took.
    /// </summary>
    public static async Task<double> SeedInboxAsync(
        string provider, string connectionString, string author, string reader, string caughtUp, int rooms, int perRoom, CancellationToken cancellationToken)
    {
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

            ChatRoomUser<string> Member(ChatRoom<string> room, string user, bool owner, DateTime seen, long readNumber, long exclusions) => new()
            {
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
                Member(r, reader, owner: false, r.CreatedAt, readNumber: 0, exclusions: 0),
                Member(r, caughtUp, owner: false, r.LastActivityAt, readNumber: perRoom, exclusions: 0),
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        Console.WriteLine($"  rooms and memberships inserted after {clock.Elapsed.TotalSeconds:F1} s");
        await InsertMessagesAsync(provider, connectionString, Enumerable.Range(0, rooms).SelectMany(i => Enumerable.Range(1, perRoom).Select(n =>
            new MessageRow(roomIds[i], n, author, Text(n), MessageAt(i, n)))), cancellationToken);

        Console.WriteLine($"  messages inserted after {clock.Elapsed.TotalSeconds:F1} s");
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
        return await db.Set<ChatMessage<string>>().Where(m => m.RoomId == room)
            .OrderByDescending(m => m.Id).Skip(offset).Select(m => m.Id).FirstAsync(cancellationToken);
    }

    private static string Text(long number) =>
        $"Message {number}: an ordinary sentence of an ordinary length, as people write them in a busy room.";

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
                INSERT INTO "ChatMessages" ("RoomId", "Number", "UserId", "Text", "CreatedAt", "HasMedia", "ReactionCount")
                VALUES ($room, $number, $user, $text, $created, 0, 0)
                """;
            var room = command.Parameters.Add("$room", SqliteType.Integer);
            var number = command.Parameters.Add("$number", SqliteType.Integer);
            var user = command.Parameters.Add("$user", SqliteType.Text);
            var text = command.Parameters.Add("$text", SqliteType.Text);
            var created = command.Parameters.Add("$created", SqliteType.Text);
            var inTransaction = 0;
            var transaction = connection.BeginTransaction();
            try
            {
                command.Transaction = transaction;
                command.Prepare();
                foreach (var row in rows)
                {
                    (room.Value, number.Value, user.Value, text.Value, created.Value) = (row.RoomId, row.Number, row.UserId, row.Text, row.CreatedAt);
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
            """COPY "ChatMessages" ("RoomId", "Number", "UserId", "Text", "CreatedAt", "HasMedia", "ReactionCount") FROM STDIN (FORMAT BINARY)""", cancellationToken);
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
        await using var analyze = new NpgsqlCommand("""ANALYZE "ChatMessages", "ChatRooms", "ChatRoomUsers", "AspNetUsers" """, pg);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }
}
