using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;

namespace DfChat.Writes;

/// <summary>Tells the failures worth another attempt (a deadlock, a serialization failure, a busy SQLite file, a lost connection) from the rest.</summary>
internal static class TransientFailures
{
    /// <summary>PostgreSQL: serialization failure, deadlock, lock not available.</summary>
    private static readonly HashSet<string> RetriedSqlStates = ["40001", "40P01", "55P03"];

    /// <summary>SQLite: SQLITE_BUSY, SQLITE_LOCKED.</summary>
    private static readonly HashSet<int> RetriedSqliteCodes = [5, 6];

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutException:
                case DbException { IsTransient: true }:
                case DbException { SqlState: { } state } when RetriedSqlStates.Contains(state):
                    return true;
                case DbException sqlite when SqliteErrorCode(sqlite) is { } code && RetriedSqliteCodes.Contains(code):
                    return true;
            }
        }

        return false;
    }

    /// <summary>Whether the database could not be reached or answered only with transient failures: a 503, not a 500.</summary>
    public static bool IsUnavailable(Exception exception) =>
        IsTransient(exception) || exception is RetryLimitExceededException
        || (exception is InvalidOperationException && exception.InnerException is { } inner && IsUnavailable(inner));

    /// <summary>The core package does not reference Microsoft.Data.Sqlite: read its error code by name.</summary>
    private static int? SqliteErrorCode(DbException exception) =>
        exception.GetType().Name == "SqliteException" && exception.GetType().GetProperty("SqliteErrorCode")?.GetValue(exception) is int code ? code : null;
}
