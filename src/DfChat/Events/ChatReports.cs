using System.Threading.Channels;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DfChat.Events;

/// <summary>A user's report of a message, as the host's <see cref="IChatReportListener"/> receives it.</summary>
public sealed record ChatReport
{
    /// <summary>The report's id: a listener that must act once dedupes by it (delivery is at least once).</summary>
    public required string Id { get; init; }

    /// <summary>The room of the message.</summary>
    public required string RoomId { get; init; }

    /// <summary>The reported message.</summary>
    public required string MessageId { get; init; }

    /// <summary>The message's author when it was reported, or null (an anonymized author).</summary>
    public string? MessageUserId { get; init; }

    /// <summary>The message's text when it was reported, or null (a message of media only).</summary>
    public string? MessageText { get; init; }

    /// <summary>Who reported it.</summary>
    public required string ReporterId { get; init; }

    /// <summary>Why, in the reporter's words.</summary>
    public required string Reason { get; init; }

    /// <summary>When it was reported (UTC).</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>Receives the reports of messages (<c>POST /rooms/{roomId}/messages/{messageId}/reports</c>), for the host's moderators.</summary>
/// <remarks>
/// Reports are stored with the request and handed to the listeners afterwards, in the background: nothing
/// a listener does can fail or slow the request. A listener that throws (or takes more than 30 seconds) is
/// tried again later, with growing pauses, also after a restart, until it succeeds: delivery is at least
/// once, so dedupe by <see cref="ChatReport.Id"/>. Register with
/// <c>services.AddScoped&lt;IChatReportListener, MyModerationQueue&gt;()</c>.
/// </remarks>
public interface IChatReportListener
{
    /// <summary>Handles one report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    Task HandleAsync(ChatReport report, CancellationToken cancellationToken);
}

/// <summary>
/// Hands stored reports to the <see cref="IChatReportListener"/>s in the background, several reports at a
/// time and each to every listener at once (so that one slow listener or one slow report holds up no other),
/// and marks each delivered once every listener took it. A failed delivery is retried after 1, 2, 4, …
/// seconds (at most a minute); reports still undelivered after that, or left by a stopped node, are picked
/// up by <see cref="RecoverAsync"/>, which the host runs now and then.
/// </summary>
internal sealed partial class ChatReportDispatcher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ChatReportDispatcher> logger) : IDisposable
{
    private const int RetriesInMemory = 8;
    private const int DeliveriesAtOnce = 4;
    private static readonly TimeSpan ListenerTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);

    private readonly Channel<(long Id, int Attempt)> _queue = Channel.CreateUnbounded<(long, int)>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<long> _queued = [];
    private Task[]? _workers;

    /// <summary>Queues a committed report for delivery; returns at once.</summary>
    public void Enqueue(long reportId) => Enqueue(reportId, 0);

    /// <summary>Queues the reports no dispatcher delivered that were made at least <paramref name="olderThan"/> ago.</summary>
    public async Task<int> RecoverAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - olderThan;
        await using var scope = scopes.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<IChatReportStore>().UndeliveredAsync(cutoff, cancellationToken);
        foreach (var id in ids)
            Enqueue(id, 0);
        return ids.Count;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        _stopping.Dispose();
    }

    private void Enqueue(long reportId, int attempt)
    {
        lock (_gate)
        {
            if (attempt == 0 && !_queued.Add(reportId))
                return;
            _workers ??= Enumerable.Range(0, DeliveriesAtOnce).Select(_ => Task.Run(RunAsync)).ToArray();
        }

        _queue.Writer.TryWrite((reportId, attempt));
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var (id, attempt) in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                if (await TryDeliverAsync(id))
                {
                    lock (_gate)
                        _queued.Remove(id);
                }
                else if (attempt + 1 < RetriesInMemory)
                {
                    _ = RetryLaterAsync(id, attempt + 1);
                }
                else
                {
                    // Left to recovery, which asks the database again later.
                    lock (_gate)
                        _queued.Remove(id);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RetryLaterAsync(long id, int attempt)
    {
        try
        {
            var pause = TimeSpan.FromSeconds(Math.Min(MaxPause.TotalSeconds, Math.Pow(2, attempt - 1)));
            await Task.Delay(pause, clock, _stopping.Token);
            _queue.Writer.TryWrite((id, attempt));
        }
        catch (OperationCanceledException)
        {
            // Stopping: recovery delivers it after the restart.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>Hands one report to every listener; true when it is delivered (or no longer exists).</summary>
    private async Task<bool> TryDeliverAsync(long id)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var reports = scope.ServiceProvider.GetRequiredService<IChatReportStore>();
            var report = await reports.FindUndeliveredAsync(id, _stopping.Token);
            if (report is null)
                return true;
            try
            {
                await Task.WhenAll(scope.ServiceProvider.GetServices<IChatReportListener>()
                    .Select(listener => listener.HandleAsync(report, _stopping.Token).WaitAsync(ListenerTimeout, _stopping.Token)));
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                LogListenerFailed(logger, e, report.Id);
                await reports.MarkAsync(id, delivered: null, _stopping.Token);
                return false;
            }

            await reports.MarkAsync(id, clock.GetUtcNow().UtcDateTime, _stopping.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            // The database may be down: try again later.
            LogDeliveryFailed(logger, e, id);
            return false;
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "A report listener failed on report {ReportId}; it is tried again later.")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string reportId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Report {ReportId} could not be delivered; it is tried again later.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long reportId);
}

/// <summary>The report table, as the dispatcher reads and marks it.</summary>
internal interface IChatReportStore
{
    /// <summary>Ids of undelivered reports made at or before <paramref name="cutoff"/>, oldest first (a bounded batch).</summary>
    Task<List<long>> UndeliveredAsync(DateTime cutoff, CancellationToken cancellationToken);

    /// <summary>The report, unless it was delivered already or no longer exists.</summary>
    Task<ChatReport?> FindUndeliveredAsync(long id, CancellationToken cancellationToken);

    /// <summary>Counts an attempt, and marks the report delivered at <paramref name="delivered"/> when it is not null.</summary>
    Task MarkAsync(long id, DateTime? delivered, CancellationToken cancellationToken);
}

/// <summary>The report table of the host's DbContext.</summary>
internal sealed class ChatReportStore<TUser, TKey>(ChatStore<TUser, TKey> store) : IChatReportStore
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public Task<List<long>> UndeliveredAsync(DateTime cutoff, CancellationToken cancellationToken) =>
        store.Reports.AsNoTracking()
            .Where(r => r.DeliveredAt == null && r.CreatedAt <= cutoff)
            .OrderBy(r => r.Id).Select(r => r.Id).Take(500).ToListAsync(cancellationToken);

    public async Task<ChatReport?> FindUndeliveredAsync(long id, CancellationToken cancellationToken)
    {
        var row = await store.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.DeliveredAt == null, cancellationToken);
        return row is null ? null : new ChatReport
        {
            Id = EntityId.Format(row.Id),
            RoomId = EntityId.Format(row.RoomId),
            MessageId = EntityId.Format(row.MessageId),
            MessageUserId = row.MessageUserId,
            MessageText = row.MessageText,
            ReporterId = UserKey<TKey>.Format(row.ReporterId),
            Reason = row.Reason,
            CreatedAt = row.CreatedAt,
        };
    }

    public Task MarkAsync(long id, DateTime? delivered, CancellationToken cancellationToken) =>
        delivered is { } at
            ? store.Reports.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.DeliveredAt, at).SetProperty(r => r.Attempts, r => r.Attempts + 1), cancellationToken)
            : store.Reports.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Attempts, r => r.Attempts + 1), cancellationToken);
}
