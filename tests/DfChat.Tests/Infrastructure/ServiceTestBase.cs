using DfChat.Options;

namespace DfChat.Tests.Infrastructure;

/// <summary>A fresh database per test, with four users: Alice, Bob, Carol and Dave.</summary>
public abstract class ServiceTestBase : IAsyncLifetime
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

    public async Task InitializeAsync()
    {
        Host = ChatTestHost.Create(Configure);
        Alice = await Host.CreateUserAsync("Alice");
        Bob = await Host.CreateUserAsync("Bob");
        Carol = await Host.CreateUserAsync("Carol");
        Dave = await Host.CreateUserAsync("Dave");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
