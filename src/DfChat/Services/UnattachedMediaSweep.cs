using DfChat.Storage;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DfChat.Services;

/// <summary>Removes uploads left unattached past <see cref="Options.MediaOptions.UnattachedLifetime"/>, files included.</summary>
internal interface IChatMediaSweep
{
    /// <summary>Removes every expired unattached upload; returns how many.</summary>
    Task<int> SweepAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The sweep of unattached uploads: rows first, in the media lane, then their files once that has
/// committed (a rolled-back sweep keeps both).
/// </summary>
/// <remarks>
/// Sends and avatars refuse an upload as soon as it has expired; the sweep takes it only after
/// <see cref="Grace"/> more, longer than any write may wait, so that a send that checked an upload just
/// before it expired has committed its link before the sweep looks.
/// </remarks>
internal sealed partial class UnattachedMediaSweep<TUser, TKey>(
    RoomWrites<TUser, TKey> writes,
    IChatMediaStore files,
    TimeProvider clock,
    ILogger<UnattachedMediaSweep<TUser, TKey>> logger) : IChatMediaSweep
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    private const int BatchSize = 500;

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var result = await writes.OutsideRoomsAsync(async store =>
            {
                var cutoff = clock.GetUtcNow().UtcDateTime - store.Options.Media.UnattachedLifetime - Grace;
                var expired = await store.Unattached()
                    .Where(m => m.CreatedAt < cutoff)
                    .OrderBy(m => m.Id).Take(BatchSize)
                    .Select(m => new { m.Id, m.StorageKey })
                    .ToListAsync(CancellationToken.None);
                var ids = expired.ConvertAll(m => m.Id);
                await store.Media.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(CancellationToken.None);
                return ChatResult<List<string>>.Ok(expired.ConvertAll(m => m.StorageKey));
            }, cancellationToken);
            if (!result.Succeeded)
                throw new InvalidOperationException($"The sweep of unattached uploads failed: {result.Error}");

            var keys = result.Value!;
            foreach (var key in keys)
            {
                try
                {
                    await files.DeleteAsync(key, CancellationToken.None);
                }
                catch (IOException e)
                {
                    // The row is gone: the file is an orphan nobody can reach; a later cleanup of the folder may take it.
                    LogFileNotDeleted(logger, key, e);
                }
            }

            total += keys.Count;
            if (keys.Count < BatchSize)
            {
                if (total > 0)
                    LogSwept(logger, total);
                return total;
            }
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Removed {Count} uploads left unattached past their lifetime.")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "The file {StorageKey} of a swept upload could not be deleted.")]
    private static partial void LogFileNotDeleted(ILogger logger, string storageKey, Exception exception);
}
