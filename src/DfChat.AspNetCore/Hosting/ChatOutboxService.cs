using DfChat.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.Hosting;

/// <summary>
/// Keeps the outbox whole across restarts: at start, publishes every event committed but never
/// published (the host stopped right after a commit); then, now and then, publishes what was missed
/// since (another node that stopped, a host transaction committed outside EF Core), marks what was
/// published, and removes events past their retention.
/// </summary>
/// <remarks>
/// Recovery never takes events younger than <see cref="Grace"/>, at start either: a node starting while
/// others run would otherwise publish again what a live node is publishing from memory. The events a
/// stopped node committed in its last seconds go out within a period after they pass the grace; their
/// readers have had them all along in <c>GET /rooms/{roomId}/events</c>.
/// </remarks>
internal sealed partial class ChatOutboxService(ChatOutbox outbox, ILogger<ChatOutboxService> logger) : BackgroundService
{
    /// <summary>Events younger than this are left to the node that committed them, which publishes them within milliseconds.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PrunePeriod = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RunAsync(() => outbox.RecoverAsync(Grace, stoppingToken));
        var lastPrune = DateTime.MinValue;
        using var timer = new PeriodicTimer(Period);
        while (await NextTickAsync(timer, stoppingToken))
        {
            await RunAsync(() => outbox.CheckpointAsync(stoppingToken));
            await RunAsync(() => outbox.RecoverAsync(Grace, stoppingToken));
            if (DateTime.UtcNow - lastPrune >= PrunePeriod)
            {
                await RunAsync(() => outbox.PruneAsync(stoppingToken));
                lastPrune = DateTime.UtcNow;
            }
        }

        await RunAsync(() => outbox.CheckpointAsync(CancellationToken.None));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database may be down: the next round tries again, and nothing is lost meanwhile.
            LogFailed(logger, e);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "The chat outbox could not be processed; retrying later.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
