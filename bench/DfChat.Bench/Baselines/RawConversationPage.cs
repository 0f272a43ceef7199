using System.Buffers.Text;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DfChat.Bench.Baselines;

/// <summary>
/// Issue 22's baseline of a page of messages: the same statements DfChat runs for the newest page (the page
/// with the readable-room condition, the authors' names and the API.md §8 columns in one statement, then the
/// page's pins when one of its messages is pinned), written as the same JSON bytes (checked by the read
/// scenario before measuring), the plainest way: ADO.NET, a <see cref="Utf8JsonWriter"/> straight into the
/// response's buffer. It stands behind the same authentication as the sample host's routes (the
/// authorization middleware and ASP.NET Core Identity's bearer-token handler; see <see cref="BaselineServer"/>).
/// </summary>
/// <remarks>
/// The statements are the text EF Core generates for DfChat's compiled page query and its pins query (read
/// from the host's command log), so that both sides ask the database the same thing. The stored
/// <c>Mentions</c> (a JSON array of ids) is written as it is stored; DfChat reads it into a list and writes it
/// again.
/// </remarks>
internal abstract class RawConversationPage : IAsyncDisposable
{
    private const string PageQuery = """
        SELECT "c"."Id", "c"."UserId", "c"."Text", "c"."ReplyToId", "c"."CreatedAt", "c"."EditedAt", "c"."HasMedia", "c"."ReactionCount", "c"."ThreadReplyCount", "c"."ThreadLastReplyAt", "c"."Mentions", "c"."PinnedAt", (
            SELECT COALESCE("a"."DisplayName", "a"."UserName")
            FROM "AspNetUsers" AS "a"
            WHERE "a"."Id" = "c"."UserId"
            LIMIT 1) AS "AuthorName"
        FROM "ChatMessages" AS "c"
        WHERE "c"."RoomId" = @roomId AND "c"."ThreadId" IS NULL AND EXISTS (
            SELECT 1
            FROM "ChatRooms" AS "c0"
            WHERE "c0"."Id" = @roomId AND ("c0"."IsPublic" OR EXISTS (
                SELECT 1
                FROM "ChatRoomUsers" AS "c1"
                WHERE "c1"."RoomId" = @roomId AND "c1"."UserId" = @caller))) AND "c"."Id" < @before
        ORDER BY "c"."ThreadId" DESC, "c"."Id" DESC
        LIMIT @take
        """;

    private const string PinsQuery = """
        SELECT "c"."MessageId", "c"."PinnedAt", "c"."PinnedBy", "c"."RoomId"
        FROM "ChatMessagePins" AS "c"
        WHERE "c"."RoomId" = @roomId AND "c"."MessageId" >= @first AND "c"."MessageId" <= @last
        """;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>
    /// Writes the newest page of <paramref name="limit"/> messages before <paramref name="before"/> as DfChat's
    /// JSON (<c>{"items":[…],"nextCursor":…}</c>) into the response; false (nothing written) when the page is
    /// empty, which the bench never asks for.
    /// </summary>
    public async Task<bool> WriteAsync(HttpResponse response, long roomId, string caller, int limit, long? before, CancellationToken cancellationToken)
    {
        var rows = new List<Row>(limit + 1);
        await using var connection = await OpenAsync(cancellationToken);
        await using (var page = connection.CreateCommand())
        {
            page.CommandText = PageQuery;
            Add(page, "roomId", roomId);
            Add(page, "caller", caller);
            Add(page, "before", before ?? long.MaxValue);
            Add(page, "take", limit + 1);
            await using var reader = await page.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new Row(
                    reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    Utc(reader.GetDateTime(4)),
                    reader.IsDBNull(5) ? null : Utc(reader.GetDateTime(5)),
                    reader.GetInt32(8),
                    reader.IsDBNull(9) ? null : Utc(reader.GetDateTime(9)),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    !reader.IsDBNull(11),
                    reader.IsDBNull(12) ? null : reader.GetString(12)));
            }
        }

        if (rows.Count == 0)
            return false;
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            next = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"c1|messages:{roomId}|0|{rows[^1].Id}")));
        }

        Dictionary<long, (DateTime At, string By)>? pins = null;
        if (rows.Exists(r => r.Pinned))
        {
            pins = [];
            await using var pinned = connection.CreateCommand();
            pinned.CommandText = PinsQuery;
            Add(pinned, "roomId", roomId);
            Add(pinned, "first", rows[^1].Id);
            Add(pinned, "last", rows[0].Id);
            await using var reader = await pinned.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                pins[reader.GetInt64(0)] = (Utc(reader.GetDateTime(1)), reader.GetString(2));
        }

        var room = roomId.ToString(CultureInfo.InvariantCulture);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("items");
            foreach (var row in rows)
                Write(json, row, room, pins);
            json.WriteEndArray();
            if (next is null)
                json.WriteNull("nextCursor");
            else
                json.WriteString("nextCursor", next);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken);
        return true;
    }

    private static void Write(Utf8JsonWriter json, in Row row, string room, Dictionary<long, (DateTime At, string By)>? pins)
    {
        json.WriteStartObject();
        json.WriteString("id", row.Id.ToString(CultureInfo.InvariantCulture));
        json.WriteString("roomId", room);
        if (row.UserId is { } author)
        {
            json.WriteString("userId", author);
            json.WriteStartObject("user");
            json.WriteString("id", author);
            json.WriteString("displayName", row.AuthorName ?? author);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("userId");
            json.WriteNull("user");
        }

        WriteStringOrNull(json, "text", row.Text);
        json.WriteStartArray("media");
        json.WriteEndArray();
        json.WriteStartArray("reactions");
        json.WriteEndArray();
        WriteStringOrNull(json, "replyToId", row.ReplyToId?.ToString(CultureInfo.InvariantCulture));
        json.WriteString("createdAt", row.CreatedAt);
        WriteTimeOrNull(json, "editedAt", row.EditedAt);
        json.WriteNull("threadId");
        json.WriteNumber("threadReplyCount", row.ThreadReplyCount);
        WriteTimeOrNull(json, "threadLastReplyAt", row.ThreadLastReplyAt);
        json.WritePropertyName("mentions");
        if (row.Mentions is { } mentions)
            json.WriteRawValue(mentions, skipInputValidation: true);
        else
        {
            json.WriteStartArray();
            json.WriteEndArray();
        }

        if (pins is not null && pins.TryGetValue(row.Id, out var pin))
        {
            json.WriteString("pinnedAt", pin.At);
            json.WriteString("pinnedBy", pin.By);
        }
        else
        {
            json.WriteNull("pinnedAt");
            json.WriteNull("pinnedBy");
        }

        json.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static void WriteTimeOrNull(Utf8JsonWriter json, string name, DateTime? value)
    {
        if (value is { } time)
            json.WriteString(name, time);
        else
            json.WriteNull(name);
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    public abstract ValueTask DisposeAsync();

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public static RawConversationPage Create(string provider, string connectionString) => provider switch
    {
        "sqlite" => new SqlitePage(connectionString),
        "postgres" => new NpgsqlPage(connectionString),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "sqlite or postgres"),
    };

    /// <summary>A message of the page as read: what its JSON needs.</summary>
    private readonly record struct Row(
        long Id, string? UserId, string? Text, long? ReplyToId, DateTime CreatedAt, DateTime? EditedAt,
        int ThreadReplyCount, DateTime? ThreadLastReplyAt, string? Mentions, bool Pinned, string? AuthorName);

    /// <summary>Microsoft.Data.Sqlite with its pooled connections.</summary>
    private sealed class SqlitePage(string connectionString) : RawConversationPage
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
    private sealed class NpgsqlPage(string connectionString) : RawConversationPage
    {
        private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

        protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
            await _dataSource.OpenConnectionAsync(cancellationToken);

        public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
    }
}
