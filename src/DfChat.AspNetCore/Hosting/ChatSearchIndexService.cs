using DfChat.EntityFrameworkCore;
using DfChat.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.Hosting;

/// <summary>
/// At start, creates the message search index where the schema lacks it and indexes the messages not yet
/// indexed (<see cref="ChatSearchIndex"/>), in the background: the host starts at once, and a search that
/// comes before this is done waits for it.
/// </summary>
internal sealed partial class ChatSearchIndexService(IServiceScopeFactory scopes, ChatSearchIndex index, ILogger<ChatSearchIndexService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await index.EnsureAsync(scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The schema may not exist yet (a host that creates it after starting) or the database may be
            // down: the first search tries again.
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Could not prepare the message search index at start; the first search tries again.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
