using DfChat.Options;
using DfChat.Storage;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DfChat.Tests.Infrastructure;

/// <summary>
/// The chat services over a real, empty database of a <see cref="ServiceDatabase"/> (SQLite in memory,
/// or PostgreSQL), a fake clock and an in-memory media store. Each call runs in its own DI scope, as a request would.
/// </summary>
public sealed class ChatTestHost<TUser, TContext> : IAsyncDisposable
    where TUser : class
    where TContext : DbContext
{
    /// <summary>The clock starts here; every call through a <see cref="ChatCaller"/> first advances it by <see cref="Step"/>.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private readonly IServiceDatabaseLease _database;
    private readonly Func<string, TUser> _newUser;
    private readonly Func<TUser, string> _idOf;

    public ChatTestHost(ServiceDatabase database, Func<string, TUser> newUser, Func<TUser, string> idOf, Action<DfChatOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        _newUser = newUser;
        _idOf = idOf;
        Provider = database.Provider;
        _database = database.Open<TContext>();

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(Clock);

        // Registered before AddDfChatCore, which only adds what is missing.
        collection.AddSingleton<IChatMediaStore>(MediaStore);
        services?.Invoke(collection);
        collection.AddDbContext<TContext>(_database.Configure);
        collection.AddDfChatCore<TUser>(configure).UseDbContext<TContext>();
        Services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        try
        {
            // What a host does at start: options are validated before the first request.
            Services.GetRequiredService<IStartupValidator>().Validate();

            using var scope = Services.CreateScope();
            _database.Prepare(scope.ServiceProvider.GetRequiredService<TContext>());
        }
        catch
        {
            Services.Dispose();
            _database.Dispose();
            throw;
        }
    }

    public DatabaseProvider Provider { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; } = new(Start);

    public InMemoryMediaStore MediaStore { get; } = new();

    /// <summary>The current time as the chat stores it.</summary>
    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <summary>Completes once the outbox has published every committed event (and removed the files they carry).</summary>
    public Task OutboxIdleAsync() => Services.GetRequiredService<DfChat.Events.ChatOutbox>().WhenIdleAsync();

    /// <summary>Adds a user to the host's user table and returns a caller acting as that user.</summary>
    public async Task<ChatCaller> CreateUserAsync(string userName)
    {
        var user = _newUser(userName);
        await DbAsync(async db =>
        {
            db.Add(user);
            await db.SaveChangesAsync();
        });
        return As(_idOf(user));
    }

    /// <summary>A caller with any id, even one that is not a user.</summary>
    public ChatCaller As(string userId) => new(userId, RunAsync<object?>);

    /// <summary>Runs <paramref name="work"/> against a fresh DbContext of a new scope.</summary>
    public async Task DbAsync(Func<TContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    /// <summary>Reads with a fresh DbContext of a new scope.</summary>
    public async Task<T> QueryAsync<T>(Func<TContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    private async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> call)
    {
        Clock.Advance(Step);
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>Builds test hosts for each user key type, on a <see cref="ServiceDatabase"/> (a fresh SQLite in-memory database by default).</summary>
public static class ChatTestHost
{
    private static readonly SqliteServiceDatabase Sqlite = new();

    public static ChatTestHost<TestUser, TestDbContext> Create(Action<DfChatOptions>? configure = null) => Create(Sqlite, configure);

    public static ChatTestHost<TestUser, TestDbContext> Create(ServiceDatabase database, Action<DfChatOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        new(database, name => new TestUser { UserName = name }, u => u.Id, configure, services);

    public static ChatTestHost<GuidUser, GuidDbContext> CreateWithGuidKeys(ServiceDatabase database, Action<DfChatOptions>? configure = null) =>
        new(database, name => new GuidUser { UserName = name }, u => u.Id.ToString(), configure);

    public static ChatTestHost<IntUser, IntDbContext> CreateWithIntKeys(ServiceDatabase database, Action<DfChatOptions>? configure = null) =>
        new(database, name => new IntUser { UserName = name }, u => u.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), configure);
}
