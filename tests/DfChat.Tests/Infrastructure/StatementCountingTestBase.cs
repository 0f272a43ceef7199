using DfChat.Events;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Infrastructure;

/// <summary>A service test that counts the statements the host's DbContexts execute (<see cref="StatementLog"/>).</summary>
public abstract class StatementCountingTestBase(ServiceDatabase database) : ServiceTestBase(database)
{
    private protected StatementLog Statements { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<TestDbContext>(o => o.AddInterceptors(Statements));

    /// <summary>Counts from here, once the outbox has published and marked the events so far (its own statements, not the ones under test).</summary>
    protected async Task StartCountingAsync()
    {
        await Host.OutboxIdleAsync();
        await Host.Services.GetRequiredService<ChatOutbox>().CheckpointAsync(CancellationToken.None);
        Statements.Clear();
    }
}
