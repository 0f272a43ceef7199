using Microsoft.Data.Sqlite;
using Npgsql;

namespace DfChat.Bench;

/// <summary>A fresh, empty database for one side of a run: a SQLite file in a temporary folder, or a new PostgreSQL database that is dropped afterwards.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _postgresServer;
    private readonly string? _postgresName;

    private BenchDatabase(string provider, string connectionString, string? postgresServer, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _postgresServer = postgresServer;
        _postgresName = postgresName;
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string provider, string name, string folder, string? postgresServer, CancellationToken cancellationToken)
    {
        if (provider == "sqlite")
            return new BenchDatabase(provider, new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, $"{name}.db") }.ToString(), null, null);

        var server = postgresServer ?? throw new InvalidOperationException("No PostgreSQL server given.");
        var database = $"dfchat_bench_{name}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        return new BenchDatabase(provider, connectionString, server, database);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is null)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_postgresServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
