using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DfChat.Bench.Baselines;

/// <summary>
/// The database work of reading a page of messages done the plainest way ADO.NET allows, on the sample
/// host's own tables: whether the caller is a member of the room (one indexed lookup), then the page newest
/// first with each author's name (one keyset query joined to the users), leaving out thread replies as the
/// room's list does (API.md §8). DfChat's reply has the same messages; it also looks up media and reactions,
/// which the seeded history has none of, and pins, and carries the §8 fields this baseline leaves out.
/// </summary>
internal abstract class RawMessageReader : IAsyncDisposable
{
    private const string MemberQuery = """
        SELECT 1 FROM "ChatRoomUsers" WHERE "RoomId" = @room AND "UserId" = @user
        """;

    private const string PageQuery = """
        SELECT m."Id", m."UserId", u."UserName", m."Text", m."ReplyToId", m."CreatedAt", m."EditedAt"
        FROM "ChatMessages" m LEFT JOIN "AspNetUsers" u ON u."Id" = m."UserId"
        WHERE m."RoomId" = @room AND m."ThreadId" IS NULL AND m."Id" < @before
        ORDER BY m."Id" DESC
        LIMIT @take
        """;

    /// <summary>The page of <paramref name="limit"/> messages before <paramref name="before"/> (newest first), or null when the user is not a member.</summary>
    public async Task<RawPage?> PageAsync(long roomId, string userId, int limit, long? before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var member = connection.CreateCommand())
        {
            member.CommandText = MemberQuery;
            Add(member, "room", roomId);
            Add(member, "user", userId);
            if (await member.ExecuteScalarAsync(cancellationToken) is null)
                return null;
        }

        await using var page = connection.CreateCommand();
        page.CommandText = PageQuery;
        Add(page, "room", roomId);
        Add(page, "before", before ?? long.MaxValue);
        Add(page, "take", limit + 1);
        var items = new List<RawReadMessage>(limit + 1);
        await using (var reader = await page.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var author = reader.GetString(1);
                items.Add(new RawReadMessage(
                    reader.GetInt64(0),
                    roomId,
                    author,
                    new RawUser(author, reader.IsDBNull(2) ? author : reader.GetString(2)),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc),
                    reader.IsDBNull(6) ? null : DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc)));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new RawPage(items, next);
    }

    public abstract ValueTask DisposeAsync();

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public static RawMessageReader Create(string provider, string connectionString) => provider switch
    {
        "sqlite" => new SqliteReader(connectionString),
        "postgres" => new NpgsqlReader(connectionString),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "sqlite or postgres"),
    };

    /// <summary>Microsoft.Data.Sqlite with its pooled connections; readers never wait for each other in WAL mode.</summary>
    private sealed class SqliteReader(string connectionString) : RawMessageReader
    {
        protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return connection;
        }

        public override ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Npgsql with its connection pool.</summary>
    private sealed class NpgsqlReader(string connectionString) : RawMessageReader
    {
        private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

        protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            await _dataSource.OpenConnectionAsync(cancellationToken);

        public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
    }
}

/// <summary>A page as the baseline answers it: the shape of DfChat's, less media and reactions.</summary>
internal sealed record RawPage(IReadOnlyList<RawReadMessage> Items, string? NextCursor);

/// <summary>A message of a page, with its author.</summary>
internal sealed record RawReadMessage(long Id, long RoomId, string UserId, RawUser User, string? Text, long? ReplyToId, DateTime CreatedAt, DateTime? EditedAt);

/// <summary>An author: id and display name.</summary>
internal sealed record RawUser(string Id, string DisplayName);
