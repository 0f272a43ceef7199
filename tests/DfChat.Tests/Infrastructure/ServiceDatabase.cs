using DfChat.Tests.Http.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace DfChat.Tests.Infrastructure;

/// <summary>
/// The database behind the service test hosts of one test class (an xunit class fixture). Every host
/// opened on it starts empty: SQLite gives each host its own in-memory database; PostgreSQL creates
/// one database per test class (<c>dfchat_svc_&lt;guid&gt;</c>, dropped afterwards) and empties it
/// for each host, which costs a millisecond or two instead of a <c>CREATE DATABASE</c> per test.
/// </summary>
public abstract class ServiceDatabase : IAsyncLifetime
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>False on PostgreSQL when <see cref="ChatApiFactory.PostgresVariable"/> is not set.</summary>
    public virtual bool IsAvailable => true;

    /// <summary>Skips the calling test when this provider is not available: the PostgreSQL half never passes silently.</summary>
    public void SkipIfUnavailable() => Skip.If(!IsAvailable, ChatApiFactory.PostgresSkipReason);

    /// <summary>An empty database for one host, with <typeparamref name="TContext"/>'s tables.</summary>
    public abstract IServiceDatabaseLease Open<TContext>()
        where TContext : DbContext;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    public override string ToString() => Provider.ToString();
}

/// <summary>One host's use of a <see cref="ServiceDatabase"/>, from its start to its disposal.</summary>
public interface IServiceDatabaseLease : IDisposable
{
    /// <summary>Points the host's DbContext at this database.</summary>
    void Configure(DbContextOptionsBuilder options);

    /// <summary>Creates the tables, or empties them when they exist already.</summary>
    void Prepare(DbContext context);
}

/// <summary>
/// A fresh SQLite in-memory database per host, alive as long as the lease's connection. Every DbContext
/// opens its own connection to it (shared cache), as with a file: the write pipeline's contexts and the
/// requests' run side by side, and one SqliteConnection must never be used by two at once.
/// </summary>
public sealed class SqliteServiceDatabase : ServiceDatabase
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override IServiceDatabaseLease Open<TContext>() => new Lease();

    private sealed class Lease : IServiceDatabaseLease
    {
        private readonly string _connectionString = $"Data Source=dfchat-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        private readonly SqliteConnection _connection;

        public Lease()
        {
            _connection = new SqliteConnection(_connectionString);
            _connection.Open();
        }

        public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(_connectionString);

        public void Prepare(DbContext context) => context.Database.EnsureCreated();

        public void Dispose() => _connection.Dispose();
    }
}

/// <summary>
/// A PostgreSQL database of the server in <see cref="ChatApiFactory.PostgresVariable"/>, created for
/// one test class and dropped <c>WITH (FORCE)</c> afterwards. Hosts use it one at a time (the tests of
/// a class run one after another); each host finds it empty, with identities restarted at 1, so that
/// no test depends on what an earlier one left.
/// </summary>
public sealed class PostgresServiceDatabase : ServiceDatabase
{
    private readonly Lock _gate = new();
    private string? _name;
    private string? _connectionString;
    private Type? _createdFor;
    private string? _resetSql;
    private bool _leased;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override bool IsAvailable => ChatApiFactory.PostgresServer is not null;

    /// <summary>This class's database, for tests that build its schema themselves (migrations); null when unavailable.</summary>
    public string? ConnectionString => _connectionString;

    public override async Task InitializeAsync()
    {
        if (ChatApiFactory.PostgresServer is not { } server)
            return;
        _name = "dfchat_svc_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name, Pooling = true }.ConnectionString;
    }

    public override async Task DisposeAsync()
    {
        if (_name is null || ChatApiFactory.PostgresServer is not { } server)
            return;
        await using (var own = new NpgsqlConnection(_connectionString))
            NpgsqlConnection.ClearPool(own);
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
        _name = null;
    }

    public override IServiceDatabaseLease Open<TContext>()
    {
        Skip.If(_connectionString is null, ChatApiFactory.PostgresSkipReason);
        lock (_gate)
        {
            if (_leased)
                throw new InvalidOperationException("One PostgreSQL test database serves one host at a time: dispose the previous host first.");
            _leased = true;
        }

        return new Lease(this);
    }

    private sealed class Lease(PostgresServiceDatabase database) : IServiceDatabaseLease
    {
        public void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(database._connectionString);

        public void Prepare(DbContext context)
        {
            if (database._createdFor == context.GetType())
            {
                context.Database.ExecuteSqlRaw(database._resetSql!);
                return;
            }

            // First use, or another context (another user key type, other tables): start from an empty schema.
            database._createdFor = null;
            context.Database.ExecuteSqlRaw("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
            context.Database.EnsureCreated();
            database._resetSql = ResetSql(context);
            database._createdFor = context.GetType();
        }

        /// <summary>
        /// Deletes every row, dependents before their principals, and restarts the identities at 1, as
        /// in a new database. Tens of times faster than <c>TRUNCATE</c> on tables this small.
        /// </summary>
        private static string ResetSql(DbContext context)
        {
            var tables = new List<string>();
            var visited = new HashSet<IEntityType>();
            void Visit(IEntityType type)
            {
                if (!visited.Add(type))
                    return;
                foreach (var dependent in type.GetReferencingForeignKeys().Select(fk => fk.DeclaringEntityType).Where(d => d != type))
                    Visit(dependent);
                if (type.GetTableName() is { } table && !tables.Contains(table))
                    tables.Add(table);
            }

            foreach (var type in context.Model.GetEntityTypes())
                Visit(type);
            var sequences = context.Database
                .SqlQueryRaw<string>("SELECT quote_ident(sequencename) AS \"Value\" FROM pg_sequences WHERE schemaname = current_schema()")
                .ToList();
            return string.Concat(tables.Select(t => $"DELETE FROM \"{t}\";"))
                + string.Concat(sequences.Select(q => $"ALTER SEQUENCE {q} RESTART;"));
        }

        public void Dispose()
        {
            lock (database._gate)
                database._leased = false;
        }
    }
}
