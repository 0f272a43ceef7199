using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;
using HostApp.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DfChat.Tests.Migrations;

/// <summary>
/// The sample's migrations create a new database with every operation inside its migration's
/// transaction: none needs EF Core's non-transactional path (a SQLite table rebuild's
/// <c>PRAGMA foreign_keys</c>, a <c>CREATE INDEX CONCURRENTLY</c>), which logs warning 20410 on the
/// first start and can leave a migration half applied.
/// </summary>
public abstract class MigrationTransactionTests(ServiceDatabase database) : DatabaseTestBase(database)
{
    [SkippableFact]
    public async Task Migrate_NewDatabase_EveryOperationRunsInItsMigrationsTransaction()
    {
        // Arrange: the warning of a non-transactional operation is an error here.
        await using var sqlite = new SqliteConnection("DataSource=:memory:");
        AppDbContext db;
        if (Database.Provider == DatabaseProvider.Sqlite)
        {
            await sqlite.OpenAsync();
            db = new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(sqlite).ConfigureWarnings(Throw).Options);
        }
        else
        {
            var connectionString = ((PostgresServiceDatabase)Database).ConnectionString;
            db = new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(connectionString).ConfigureWarnings(Throw).Options);
        }

        // Act
        await using (db)
            await db.Database.MigrateAsync();

        // Assert: it got through every migration (none threw for want of a transaction).
        await using var check = Database.Provider == DatabaseProvider.Sqlite
            ? (AppDbContext)new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(sqlite).Options)
            : new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(((PostgresServiceDatabase)Database).ConnectionString).Options);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
    }

    private static void Throw(WarningsConfigurationBuilder warnings) =>
        warnings.Throw(RelationalEventId.NonTransactionalMigrationOperationWarning);
}

public sealed class SqliteMigrationTransactionTests(SqliteServiceDatabase database) : MigrationTransactionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMigrationTransactionTests(PostgresServiceDatabase database) : MigrationTransactionTests(database), IClassFixture<PostgresServiceDatabase>;
