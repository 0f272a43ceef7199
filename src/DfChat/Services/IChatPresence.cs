namespace DfChat.Services;

/// <summary>Whether users are online: the real-time layer's count of hub connections across nodes.</summary>
internal interface IChatPresence
{
    /// <summary>Whether <paramref name="userId"/> (canonical) is online and when it was last active (now while online).</summary>
    Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>Without a hub (the core package alone) nobody is ever connected.</summary>
internal sealed class NoChatPresence : IChatPresence
{
    public Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<(bool, DateTime?)>((false, null));
}
