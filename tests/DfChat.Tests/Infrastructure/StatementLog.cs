using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DfChat.Tests.Infrastructure;

/// <summary>Every statement the host's DbContexts execute (readers, scalars and non-queries) but the outbox's, with its SQL.</summary>
internal sealed class StatementLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _sql = new();

    public int Count => _sql.Count;

    public IReadOnlyList<string> Statements => [.. _sql];

    public void Clear() => _sql.Clear();

    public string Describe() => $"{_sql.Count} statements:\n" + string.Join("\n---\n", _sql);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Logged(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Logged(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Logged(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Logged(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Logged(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Logged(command, result));

    private T Logged<T>(DbCommand command, T result)
    {
        // The outbox marks events published on its own clock; no page statement touches the event log.
        if (!command.CommandText.Contains("\"ChatRoomEvents\"", StringComparison.Ordinal))
            _sql.Enqueue(command.CommandText);
        return result;
    }
}
