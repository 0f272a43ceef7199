using System.Collections.Concurrent;
using DfChat.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;

namespace DfChat.EntityFrameworkCore;

/// <summary>
/// On SQLite, adds the search rows (<see cref="ChatSearchIndex"/>) of the messages a write batch inserts:
/// after each save of the batch's context, one statement for all the messages that save inserted, in the
/// same transaction.
/// </summary>
/// <remarks>
/// Not a trigger, for speed: a statement that fires a trigger writing to an FTS5 table runs under a
/// statement savepoint, and FTS5 flushes its pending terms to a new segment at every savepoint, so each
/// message cost a segment write and its merges (about 40 µs more per insert than this, measured in
/// docs/BENCHMARKS.md, "Eighth round"). A plain insert into the FTS5 table keeps the terms in memory until
/// the commit. Edits and deletes, rarer, keep their triggers. The statement skips a message that already
/// has its row (a database still carrying the old insert trigger). A database without the table yet (a host
/// that lets <see cref="ChatSearchIndex.EnsureAsync"/> create it at start) is looked at inside the batch's
/// transaction, which holds SQLite's one writer: what it saves before the table exists is indexed by that
/// method's backfill, which runs after the table is created.
/// </remarks>
internal sealed class SqliteSearchRows : IDisposable
{
    private static readonly ConcurrentDictionary<string, bool> TablePresent = new(StringComparer.Ordinal);

    private readonly DbContext _db;
    private readonly List<EntityEntry> _added = [];

    private SqliteSearchRows(DbContext db)
    {
        _db = db;
        db.ChangeTracker.Tracked += OnTracked;
        db.SavedChanges += OnSaved;
        db.SaveChangesFailed += OnFailed;
    }

    /// <summary>Starts indexing what <paramref name="db"/> saves, when it is on SQLite; null otherwise.</summary>
    public static SqliteSearchRows? AttachTo(DbContext db) => ChatSearchIndex.IsSqlite(db) ? new SqliteSearchRows(db) : null;

    /// <summary>Stops watching the context (which may be pooled and handed to someone else).</summary>
    public void Dispose()
    {
        _db.ChangeTracker.Tracked -= OnTracked;
        _db.SavedChanges -= OnSaved;
        _db.SaveChangesFailed -= OnFailed;
    }

    private void OnTracked(object? sender, EntityTrackedEventArgs e)
    {
        if (e.Entry.State == EntityState.Added && IsMessage(e.Entry.Metadata.ClrType))
            _added.Add(e.Entry);
    }

    private void OnFailed(object? sender, SaveChangesFailedEventArgs e) => _added.RemoveAll(entry => entry.State != EntityState.Added);

    private void OnSaved(object? sender, SavedChangesEventArgs e)
    {
        if (_added.Count == 0)
            return;
        var values = new List<object>(_added.Count * 2);
        foreach (var entry in _added)
        {
            if (entry.State != EntityState.Unchanged || entry.Property(nameof(ChatMessage<string>.Text)).CurrentValue is not string text)
                continue;
            values.Add(entry.Property(nameof(ChatMessage<string>.Id)).CurrentValue!);
            values.Add(text);
        }

        _added.RemoveAll(entry => entry.State != EntityState.Added);
        if (values.Count == 0)
            return;

        if (!TableExists())
            return;
        // Only placeholders and this class's constants go into the text; the ids and texts are parameters.
        var rows = string.Join(", ", Enumerable.Range(0, values.Count / 2).Select(i => $"({{{2 * i}}}, {{{2 * i + 1}}})"));
        var sql = $"""
            INSERT INTO "{ChatSearchIndex.SqliteTable}"(rowid, "Text")
            SELECT v.column1, v.column2 FROM (VALUES {rows}) AS v
            WHERE NOT EXISTS (SELECT 1 FROM "{ChatSearchIndex.SqliteTable}_docsize" AS d WHERE d."id" = v.column1)
            """;

        // Synchronous: SavedChanges has no asynchronous form, and SQLite's calls complete synchronously anyway.
        _db.Database.ExecuteSqlRaw(sql, values);
    }

    /// <summary>Whether the FTS5 table exists; once it does, it is not asked again.</summary>
    private bool TableExists()
    {
        var database = _db.Database.GetConnectionString() ?? "";
        if (TablePresent.ContainsKey(database))
            return true;
        using var command = _db.Database.GetDbConnection().CreateCommand();
        command.Transaction = _db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{ChatSearchIndex.SqliteTable}'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            return false;
        TablePresent[database] = true;
        return true;
    }

    private static bool IsMessage(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ChatMessage<>);
}
