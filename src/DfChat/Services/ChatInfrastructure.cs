using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>Gives the chat services the host's DbContext that holds the chat tables.</summary>
/// <remarks>Registered by <c>UseDbContext&lt;TContext&gt;()</c>.</remarks>
internal interface IChatDbContextProvider
{
    /// <summary>The DbContext of the current scope.</summary>
    DbContext Context { get; }
}

/// <summary>Builds the links the chat puts into its models.</summary>
/// <remarks>
/// The default points under the mount of <c>MapDfChat()</c>, learned from the first request; register
/// your own before <c>AddDfChat</c> to serve media from elsewhere, such as a CDN.
/// </remarks>
public interface IChatLinkGenerator
{
    /// <summary>The URL of a media's content.</summary>
    /// <returns>A path under the chat's mount point, such as <c>/api/chat/media/42/content</c>.</returns>
    /// <param name="mediaId">The media's id.</param>
    string MediaContent(string mediaId);
}

internal sealed class ChatDbContextProvider<TContext>(TContext context) : IChatDbContextProvider
    where TContext : DbContext
{
    public DbContext Context => context;
}

/// <summary>Where the chat endpoints are mounted (such as <c>/api/chat</c>), learned by the HTTP layer from the first request.</summary>
internal sealed class ChatMountPoint
{
    public string Prefix { get; set; } = "";

    public bool IsKnown { get; set; }
}

/// <summary>Links to media content under the mount point.</summary>
internal sealed class MountedChatLinkGenerator(ChatMountPoint mount) : IChatLinkGenerator
{
    public string MediaContent(string mediaId) => $"{mount.Prefix}/media/{mediaId}/content";
}

/// <summary>Reads the members of rooms with their muted flags, in one query.</summary>
internal sealed class ChatRecipients<TKey>(IChatDbContextProvider contextProvider) : DfChat.Events.IChatRecipients
    where TKey : IEquatable<TKey>
{
    public async Task<Dictionary<string, IReadOnlyList<DfChat.Events.ChatRecipient>>> OfAsync(IReadOnlyCollection<string> roomIds, CancellationToken cancellationToken)
    {
        var ids = roomIds.Select(id => EntityId.TryParse(id, out var parsed) ? parsed : 0).ToArray();
        var members = await contextProvider.Context.Set<DfChat.Entities.ChatRoomUser<TKey>>().AsNoTracking()
            .Where(m => ids.Contains(m.RoomId))
            .Select(m => new { m.RoomId, m.UserId, m.Muted })
            .ToListAsync(cancellationToken);
        return members.GroupBy(m => EntityId.Format(m.RoomId)).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<DfChat.Events.ChatRecipient>)g.Select(m => new DfChat.Events.ChatRecipient(UserKey<TKey>.Format(m.UserId), m.Muted)).ToArray());
    }
}
