using System.Data.Common;
using DfChat.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace DfChat.EntityFrameworkCore;

/// <summary>
/// On SQLite, inserts the mention rows (<see cref="ChatMessageMention{TUserKey}"/>) a save of a write batch would
/// insert one statement each, in one statement per save instead, in the same transaction.
/// </summary>
/// <remarks>
/// EF Core's SQLite provider sends every row of a save as a statement of its own, prepared anew each time; a batch
/// of 32 sends mentioning 5 members each inserted 160 rows that way, which made such a batch cost twice a plain one
/// (docs/BENCHMARKS.md, "A send with 5 mentions"). PostgreSQL receives a save's rows in one command already and is
/// left to EF Core. The rows leave the change tracker when the save starts and are inserted once it has succeeded
/// (their messages are saved by then, for the foreign key); each value goes through the property's own type
/// mapping, so keys and times are stored exactly as EF Core stores them. Should the save fail, the rows are dropped
/// with it: the write pipeline then runs the batch's writes again from the start.
/// </remarks>
internal sealed class SqliteMentionRows : IDisposable
{
    /// <summary>Rows per statement: 4 parameters each, well inside SQLite's limit of 32,766 parameters.</summary>
    private const int RowsPerStatement = 1000;

    private readonly DbContext _db;
    private readonly List<EntityEntry> _added = [];
    private readonly List<object?[]> _pending = [];
    private IEntityType? _entityType;

    private SqliteMentionRows(DbContext db)
    {
        _db = db;
        db.ChangeTracker.Tracked += OnTracked;
        db.SavingChanges += OnSaving;
        db.SavedChanges += OnSaved;
        db.SaveChangesFailed += OnFailed;
    }

    /// <summary>Starts taking the mention rows of <paramref name="db"/>'s saves, when it is on SQLite; null otherwise.</summary>
    public static SqliteMentionRows? AttachTo(DbContext db) => ChatSearchIndex.IsSqlite(db) ? new SqliteMentionRows(db) : null;

    /// <summary>Stops watching the context (which may be pooled and handed to someone else).</summary>
    public void Dispose()
    {
        _db.ChangeTracker.Tracked -= OnTracked;
        _db.SavingChanges -= OnSaving;
        _db.SavedChanges -= OnSaved;
        _db.SaveChangesFailed -= OnFailed;
    }

    private void OnTracked(object? sender, EntityTrackedEventArgs e)
    {
        if (e.Entry.State == EntityState.Added && IsMention(e.Entry.Metadata.ClrType))
            _added.Add(e.Entry);
    }

    private void OnSaving(object? sender, SavingChangesEventArgs e)
    {
        foreach (var entry in _added)
        {
            if (entry.State != EntityState.Added)
                continue;
            _entityType = entry.Metadata;
            _pending.Add(_entityType.GetProperties().Select(p => entry.Property(p.Name).CurrentValue).ToArray());
            entry.State = EntityState.Detached;
        }

        _added.Clear();
    }

    private void OnFailed(object? sender, SaveChangesFailedEventArgs e) => _pending.Clear();

    private void OnSaved(object? sender, SavedChangesEventArgs e)
    {
        if (_pending.Count == 0)
            return;
        try
        {
            foreach (var rows in _pending.Chunk(RowsPerStatement))
                Insert(rows);
        }
        finally
        {
            _pending.Clear();
        }
    }

    private void Insert(object?[][] rows)
    {
        var entityType = _entityType!;
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = _db.GetService<ISqlGenerationHelper>();
        var properties = entityType.GetProperties().ToArray();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));

        using var factory = _db.Database.GetDbConnection().CreateCommand();
        var parameters = new List<DbParameter>(rows.Length * properties.Length);
        var values = new List<string>(rows.Length);
        for (var row = 0; row < rows.Length; row++)
        {
            var names = new string[properties.Length];
            for (var column = 0; column < properties.Length; column++)
            {
                names[column] = $"@m{row}_{column}";
                parameters.Add(properties[column].GetRelationalTypeMapping().CreateParameter(factory, names[column], rows[row][column], properties[column].IsNullable));
            }

            values.Add("(" + string.Join(", ", names) + ")");
        }

        // Only identifiers of the model and parameter names go into the text; the values are parameters.
        var statement = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES {string.Join(", ", values)}";

        // Synchronous: SavedChanges has no asynchronous form, and SQLite's calls complete synchronously anyway.
        _db.Database.ExecuteSqlRaw(statement, parameters);
    }

    private static bool IsMention(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ChatMessageMention<>);
}
