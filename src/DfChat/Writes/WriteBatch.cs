using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DfChat.Entities;
using DfChat.EntityFrameworkCore;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Writes;

/// <summary>
/// One transaction of the write pipeline: its own DI scope and DbContext (never the host's, so that
/// the host's tracked entities are never touched), the rooms it has locked, and the events it records.
/// </summary>
internal sealed class WriteBatch : IAsyncDisposable
{
    private const string Savepoint = "dfchat_write";

    /// <summary>The payloads' JSON, as the routes write it: camelCase, ISO 8601 times.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ConditionalWeakTable<IModel, string> LockSqlByModel = [];

    private readonly AsyncServiceScope _scope;
    private readonly IDbContextTransaction _transaction;
    private readonly List<ChatRoomEvent> _events = [];
    private readonly Dictionary<long, object> _lockedRooms = [];
    private readonly Dictionary<string, object> _reads = new(StringComparer.Ordinal);
    private readonly SqliteSearchRows? _searchRows;
    private readonly SqliteMentionCounts? _mentionCounts;
    private int _eventsAtSavepoint;

    private WriteBatch(AsyncServiceScope scope, DbContext db, IDbContextTransaction transaction, bool joinsHostTransaction, IReadOnlyList<WriteItem> items)
    {
        _scope = scope;
        Items = items;
        Db = db;
        _transaction = transaction;
        JoinsHostTransaction = joinsHostTransaction;
        _searchRows = SqliteSearchRows.AttachTo(db);
        _mentionCounts = SqliteMentionCounts.AttachTo(db);
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    public DbContext Db { get; }

    /// <summary>The writes of this batch, in the order they run.</summary>
    public IReadOnlyList<WriteItem> Items { get; }

    /// <summary>True when the writes join a transaction the host opened: the host commits, and its commit releases the events.</summary>
    public bool JoinsHostTransaction { get; }

    /// <summary>The events recorded so far, in the order they will commit.</summary>
    public IReadOnlyList<ChatRoomEvent> Events => _events;

    /// <summary>Opens a new transaction on a DbContext of a new scope, for <paramref name="items"/>.</summary>
    public static async Task<WriteBatch> BeginAsync(IServiceScopeFactory scopes, IReadOnlyList<WriteItem> items, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context;
            db.Database.AutoSavepointsEnabled = false;
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            return new WriteBatch(scope, db, transaction, joinsHostTransaction: false, items);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>Joins the transaction the host opened on <paramref name="host"/>, through a DbContext of our own on the same connection.</summary>
    public static async Task<WriteBatch> JoinAsync(IServiceScopeFactory scopes, DbContext host, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context;
            db.Database.AutoSavepointsEnabled = false;
            db.Database.SetDbConnection(host.Database.GetDbConnection(), contextOwnsConnection: false);
            var transaction = await db.Database.UseTransactionAsync(host.Database.CurrentTransaction!.GetDbTransaction(), cancellationToken)
                ?? throw new InvalidOperationException("The host's transaction could not be joined.");
            return new WriteBatch(scope, db, transaction, joinsHostTransaction: true, []);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>The host's transaction, when the batch joined one.</summary>
    public System.Data.Common.DbTransaction DbTransaction => _transaction.GetDbTransaction();

    /// <summary>
    /// Locks the room's row until the transaction ends and reads it, or returns null when it does not
    /// exist. The room always comes first (then members, then messages), so writers never wait on each
    /// other in a cycle. SQLite has one writer at a time and needs no row lock.
    /// </summary>
    public async Task<ChatRoom<TKey>?> LockRoomAsync<TKey>(long roomId, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        if (_lockedRooms.TryGetValue(roomId, out var locked) && Db.Entry(locked).State != EntityState.Detached)
            return (ChatRoom<TKey>)locked;
        var rooms = Db.Set<ChatRoom<TKey>>();
        ChatRoom<TKey>? room;
        if (Db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true)
        {
            var sql = LockSqlByModel.GetValue(Db.Model, _ => ForUpdateSql<TKey>());
            room = (await rooms.FromSqlRaw(sql, roomId).ToListAsync(cancellationToken)).SingleOrDefault();
        }
        else
        {
            room = await rooms.SingleOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        }

        if (room is not null)
            _lockedRooms[roomId] = room;
        return room;
    }

    /// <summary>
    /// Reads something once for the whole batch (the members of a room who write in it, their names),
    /// until <see cref="ForgetReads"/>: a busy room's sends then share one query instead of one each.
    /// </summary>
    public async Task<TValue> ReadOnceAsync<TValue>(string key, Func<Task<TValue>> read)
        where TValue : class
    {
        if (_reads.TryGetValue(key, out var known))
            return (TValue)known;
        var value = await read();
        _reads[key] = value;
        return value;
    }

    /// <summary>Forgets what <see cref="ReadOnceAsync"/> read, after a write that may have changed it.</summary>
    public void ForgetReads() => _reads.Clear();

    /// <summary>A room created in this batch counts as locked: nobody else can see it before the commit.</summary>
    public void Created<TKey>(ChatRoom<TKey> room)
        where TKey : IEquatable<TKey> => _lockedRooms[room.Id] = room;

    /// <summary>
    /// Records an event of <paramref name="room"/> in the outbox, in this transaction, with the room's
    /// next <c>seq</c> (added to the payload, which is stored as the hub will send it); the seq it was given.
    /// The payload is built from that seq (a room as of its own event carries it as <c>lastSeq</c>);
    /// <c>messageId</c> names the message whose content the payload carries, so that deleting that
    /// message redacts the event (<see cref="MessageRedaction"/>).
    /// </summary>
    public long Record<TKey>(ChatRoom<TKey> room, string type, Func<long, object> payload, string actorId, DateTime now, IReadOnlyCollection<string>? userIds = null, IReadOnlyCollection<string>? filesToDelete = null, long? messageId = null)
        where TKey : IEquatable<TKey>
    {
        var seq = room.LastSeq + 1;
        var body = payload(seq);
        room.LastSeq = seq;
        var row = new ChatRoomEvent
        {
            RoomId = room.Id,
            Seq = seq,
            Type = type,
            Payload = WithSeq(JsonSerializer.Serialize(body, body.GetType(), Json), seq),
            MessageId = messageId,
            ActorId = actorId,
            UserIds = userIds is { Count: > 0 } ? JsonSerializer.Serialize(userIds, Json) : null,
            RoomIsPublic = room.IsPublic,
            FilesToDelete = filesToDelete is { Count: > 0 } ? JsonSerializer.Serialize(filesToDelete, Json) : null,
            CreatedAt = now,
        };
        Db.Add(row);
        _events.Add(row);
        return seq;
    }

    /// <summary>The payload's JSON object with <c>seq</c> as its first property.</summary>
    private static string WithSeq(string payloadObject, long seq) =>
        payloadObject == "{}"
            ? $"{{\"seq\":{seq}}}"
            : string.Concat("{\"seq\":", seq.ToString(CultureInfo.InvariantCulture), ",", payloadObject.AsSpan(1));

    /// <summary>Marks the point to return to should the next write fail, so that it fails alone.</summary>
    public async Task SavepointAsync(CancellationToken cancellationToken)
    {
        await _transaction.CreateSavepointAsync(Savepoint, cancellationToken);
        _eventsAtSavepoint = _events.Count;
    }

    /// <summary>Undoes everything since <see cref="SavepointAsync"/>: rows, tracked changes, recorded events, locked rooms (re-read next time).</summary>
    public async Task RollbackToSavepointAsync(CancellationToken cancellationToken)
    {
        await _transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
        Db.ChangeTracker.Clear();
        _events.RemoveRange(_eventsAtSavepoint, _events.Count - _eventsAtSavepoint);
        _lockedRooms.Clear();
        _reads.Clear();
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _searchRows?.Dispose();
        _mentionCounts?.Dispose();
        if (!JoinsHostTransaction)
            await _transaction.DisposeAsync();
        await _scope.DisposeAsync();
    }

    private string ForUpdateSql<TKey>()
        where TKey : IEquatable<TKey>
    {
        var entity = Db.Model.FindEntityType(typeof(ChatRoom<TKey>))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = Db.GetService<ISqlGenerationHelper>();
        var id = entity.FindProperty(nameof(ChatRoom<TKey>.Id))!.GetColumnName(table)!;
        return $"SELECT * FROM {sql.DelimitIdentifier(table.Name, table.Schema)} WHERE {sql.DelimitIdentifier(id)} = {{0}} FOR UPDATE";
    }
}
