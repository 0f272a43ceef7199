using DfChat.Options;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Infrastructure;

/// <summary>
/// Base of every service test class: its <see cref="ServiceDatabase"/>, a class fixture. Each test class
/// is abstract, with one derived class per provider; on PostgreSQL without
/// <see cref="Http.Infrastructure.ChatApiFactory.PostgresVariable"/>, each test reports skipped.
/// </summary>
public abstract class DatabaseTestBase
{
    protected DatabaseTestBase(ServiceDatabase database)
    {
        Database = database;
        database.SkipIfUnavailable();
    }

    protected ServiceDatabase Database { get; }
}

/// <summary>An empty database per test, with four users: Alice, Bob, Carol and Dave.</summary>
public abstract class ServiceTestBase(ServiceDatabase database) : DatabaseTestBase(database), IAsyncLifetime
{
    protected ChatTestHost<TestUser, TestDbContext> Host { get; private set; } = null!;

    protected ChatCaller Alice { get; private set; } = null!;

    protected ChatCaller Bob { get; private set; } = null!;

    protected ChatCaller Carol { get; private set; } = null!;

    protected ChatCaller Dave { get; private set; } = null!;

    /// <summary>Options of this test class's host; the defaults unless overridden.</summary>
    protected virtual void Configure(DfChatOptions options)
    {
    }

    /// <summary>Services of this test class's host, registered before the chat's (edge collaborators such as event listeners).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        Host = ChatTestHost.Create(Database, Configure, ConfigureServices);
        Alice = await Host.CreateUserAsync("Alice");
        Bob = await Host.CreateUserAsync("Bob");
        Carol = await Host.CreateUserAsync("Carol");
        Dave = await Host.CreateUserAsync("Dave");
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
            await Host.DisposeAsync();
    }
}
