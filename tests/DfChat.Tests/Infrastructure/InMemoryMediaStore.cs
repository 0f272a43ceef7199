using System.Collections.Concurrent;
using DfChat.Storage;

namespace DfChat.Tests.Infrastructure;

/// <summary>Keeps uploaded bytes in memory, so that tests can see what was stored and what was deleted.</summary>
public sealed class InMemoryMediaStore : IChatMediaStore
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new();

    public IReadOnlyCollection<string> Keys => _files.Keys.ToArray();

    /// <summary>When set, every save reads the content, then fails with this (a full disk, a read-only folder).</summary>
    public Exception? SaveFailure { get; set; }

    public async Task<string> SaveAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        if (SaveFailure is { } failure)
            throw failure;
        var key = Guid.NewGuid().ToString("N");
        _files[key] = buffer.ToArray();
        return key;
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(_files.TryGetValue(key, out var bytes) ? new MemoryStream(bytes, writable: false) : null);

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        _files.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}
