using DfChat.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DfChat;

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

/// <summary>Hands committed events to every registered handler; a failing handler is logged, never rethrown.</summary>
internal sealed partial class ChatEventPublisher(IServiceProvider services, ILogger<ChatEventPublisher> logger)
{
    public async Task PublishAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        foreach (var handler in services.GetServices<IChatEventListener>())
        {
            try
            {
                await handler.HandleAsync(chatEvent, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(logger, e, chatEvent.Name, chatEvent.RoomId, handler.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Chat event handler {Handler} failed on {EventName} in room {RoomId}.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string eventName, string roomId, string handler);
}
