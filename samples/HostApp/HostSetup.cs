using HostApp.Data;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HostApp;

/// <summary>The sample's wiring of its database and authentication.</summary>
internal static class HostSetup
{
    /// <summary>SQLite in <c>dfchat.db</c> by default; PostgreSQL with <c>Database:Provider=postgres</c>.</summary>
    public static IServiceCollection AddChatDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = (configuration["Database:Provider"] ?? "sqlite").ToLowerInvariant();
        var connectionString = configuration.GetConnectionString("Chat");
        switch (provider)
        {
            case "sqlite":
                connectionString ??= $"Data Source={Path.Combine(environment.ContentRootPath, "dfchat.db")}";
                services.AddDbContextPool<AppDbContext, SqliteAppDbContext>(o => o.UseSqlite(connectionString));
                break;
            case "postgres" or "postgresql" or "npgsql":
                if (string.IsNullOrEmpty(connectionString))
                    throw new InvalidOperationException("Database:Provider is postgres: set ConnectionStrings:Chat, for example 'Host=localhost;Database=dfchat;Username=dfchat;Password=…'.");
                services.AddDbContextPool<AppDbContext, PostgresAppDbContext>(o => o.UseNpgsql(WithAutoPrepare(connectionString)));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{provider}' is not supported: use sqlite or postgres.");
        }

        return services;
    }

    /// <summary>
    /// The chat runs the same few statements over and over: unless the connection string says otherwise,
    /// Npgsql prepares the most used ones once per connection (kept while the pool reuses it), instead of
    /// PostgreSQL parsing and planning each one again on every request.
    /// </summary>
    private static string WithAutoPrepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Replace(" ", "", StringComparison.Ordinal).Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
            builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    /// <summary>Creates the database or upgrades it to the newest migration; on SQLite, switches to write-ahead logging so readers never wait for the writer.</summary>
    public static async Task PrepareChatDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <summary>
    /// With <c>ConnectionStrings:Redis</c>, hub events reach clients on every node, one Redis message per
    /// event. Starting or running without Redis never fails a request: messages are still stored, and
    /// events resume when Redis returns.
    /// </summary>
    public static DfChatBuilder<AppUser> AddChatBackplane(this DfChatBuilder<AppUser> chat, string? redis) =>
        string.IsNullOrEmpty(redis) ? chat : chat.UseRedisBackplane(redis);

    /// <summary>Browsers cannot send headers on WebSockets: accept the bearer token as <c>access_token</c> on the hub's path.</summary>
    public static IServiceCollection AcceptBearerTokenInQueryForHub(this IServiceCollection services, string hubPath)
    {
        services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o =>
        {
            o.Events.OnMessageReceived = context =>
            {
                var token = context.Request.Query["access_token"];
                if (!string.IsNullOrEmpty(token) && context.Request.Path.StartsWithSegments(hubPath, StringComparison.OrdinalIgnoreCase))
                    context.Token = token;
                return Task.CompletedTask;
            };
        });
        return services;
    }
}
