using DfChat.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.Hosting;

/// <summary>
/// Runs the sweep of unattached uploads (<see cref="Options.MediaOptions.UnattachedLifetime"/>, 24 hours
/// by default) at start and then every <see cref="Period"/>, so that an upload never sent is gone, file
/// included, at most that much after it expired.
/// </summary>
internal sealed partial class ChatMediaSweepService(IServiceScopeFactory scopes, ILogger<ChatMediaSweepService> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IChatMediaSweep>().SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be down: the next round tries again; nothing is lost meanwhile.
                LogFailed(logger, e);
            }
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

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "The sweep of unattached uploads failed; retrying later.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
