using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DfChat.EntityFrameworkCore;

/// <summary>
/// Makes SQLite's <c>lower()</c> fold every letter, not just A–Z, on the chat's connections, so that
/// case-insensitive search finds "Émile" for "émile" as it does on PostgreSQL. The function is
/// registered through reflection because the chat does not depend on the SQLite provider; on other
/// providers this does nothing.
/// </summary>
internal sealed class SqliteUnicodeFolding : DbConnectionInterceptor, IDbCommandInterceptor
{
    public static readonly SqliteUnicodeFolding Instance = new();

    private static readonly ConcurrentDictionary<Type, MethodInfo?> CreateFunction = new();
    private static readonly ConditionalWeakTable<DbConnection, object> Registered = [];
    private static readonly Func<string?, string?> Lower = value => value?.ToLowerInvariant();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Register(connection);
        return Task.CompletedTask;
    }

    /// <summary>Also covers connections the host opened itself before handing them to EF Core.</summary>
    public DbCommand CommandCreated(CommandEndEventData eventData, DbCommand result)
    {
        if (eventData.Connection is { State: System.Data.ConnectionState.Open } connection)
            Register(connection);
        return result;
    }

    private static void Register(DbConnection connection)
    {
        var method = CreateFunction.GetOrAdd(connection.GetType(), FindCreateFunction);
        if (method is null || Registered.TryGetValue(connection, out _))
            return;
        method.Invoke(connection, ["lower", Lower, true]);
        Registered.AddOrUpdate(connection, Lower);
    }

    /// <summary><c>SqliteConnection.CreateFunction&lt;string, string&gt;(name, function, isDeterministic)</c>, or null for other connections.</summary>
    private static MethodInfo? FindCreateFunction(Type connectionType) =>
        connectionType.FullName != "Microsoft.Data.Sqlite.SqliteConnection"
            ? null
            : connectionType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == "CreateFunction" && m.IsGenericMethodDefinition && m.GetGenericArguments().Length == 2)
                .FirstOrDefault(m => m.GetParameters() is [var name, var function, var deterministic]
                    && name.ParameterType == typeof(string)
                    && function.ParameterType.IsGenericType && function.ParameterType.GetGenericTypeDefinition() == typeof(Func<,>)
                    && deterministic.ParameterType == typeof(bool))
                ?.MakeGenericMethod(typeof(string), typeof(string));
}
