using HostApp.Data;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Migrations;

/// <summary>
/// The sample's migrations match its model on both providers: a change of the chat's model (or the
/// sample's) without a new migration fails here. Needs no database server.
/// </summary>
public sealed class MigrationModelTests
{
    private static string[] MigrationNames(DbContext db) =>
        db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]).ToArray();

    [Fact]
    public void Sqlite_Migrations_HaveNoPendingModelChanges()
    {
        using var db = new SqliteAppDbContextFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(), "SqliteAppDbContext's model differs from its migrations: add one (README, Migrations).");
    }

    [Fact]
    public void Postgres_Migrations_HaveNoPendingModelChanges()
    {
        using var db = new PostgresAppDbContextFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(), "PostgresAppDbContext's model differs from its migrations: add one (README, Migrations).");
    }

    [Fact]
    public void BothProviders_HaveTheSameMigrationsInTheSameOrder()
    {
        using var sqlite = new SqliteAppDbContextFactory().CreateDbContext([]);
        using var postgres = new PostgresAppDbContextFactory().CreateDbContext([]);

        Assert.Equal(MigrationNames(sqlite), MigrationNames(postgres));
        Assert.Equal("Initial", MigrationNames(sqlite)[0]);
    }
}
