using DfChat.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.Hosting;

/// <summary>
/// Keeps reports of messages from being lost: at start, hands the listeners every report no node
/// delivered (the host stopped before its listeners took it); then, every minute, those still waiting
/// after their in-memory retries (a listener that kept failing, a node that stopped).
/// </summary>
internal sealed partial class ChatReportRecoveryService(ChatReportDispatcher reports, ILogger<ChatReportRecoveryService> logger) : BackgroundService
{
    /// <summary>Reports younger than this are still being retried by the node that took them.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var olderThan = TimeSpan.Zero;
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await reports.RecoverAsync(olderThan, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be down: the next round tries again.
                LogFailed(logger, e);
            }

            olderThan = Grace;
        }
        while (await NextTickAsync(timer, stoppingToken));
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

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Undelivered reports could not be looked up; retrying later.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
