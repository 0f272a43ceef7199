using DfChat.AspNetCore;
using DfChat.AspNetCore.Hosting;
using DfChat.AspNetCore.RealTime;
using DfChat.Events;
using DfChat.Options;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the chat module in a web host.</summary>
public static class DfChatAspNetCoreExtensions
{
    /// <summary>
    /// Adds the chat bound to the host's user entity <typeparamref name="TUser"/>: its services, the
    /// HTTP endpoints' needs and SignalR. Follow with <c>.UseDbContext&lt;TContext&gt;()</c>, then map
    /// the routes with <c>app.MapGroup("/api/chat").MapDfChat()</c>.
    /// </summary>
    /// <typeparam name="TUser">The host's user entity. Its key is the property named <c>Id</c> or marked <c>[Key]</c>.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options; optional.</param>
    /// <returns>A builder for follow-up calls.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddDfChat&lt;AppUser&gt;(o =&gt; o.Reactions.AllowAnyEmoji = true)
    ///        .UseDbContext&lt;AppDbContext&gt;();
    /// </code>
    /// </example>
    public static DfChatBuilder<TUser> AddDfChat<TUser>(this IServiceCollection services, Action<DfChatOptions>? configure = null)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddDfChatCore<TUser>(configure);
        services.AddSignalR();
        services.AddAuthorization();
        services.TryAddSingleton<TypingThrottle>();
        services.TryAddSingleton<ChatEventQueue>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatEventListener, SignalRChatEventListener>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatEventDelivery>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatOutboxService>());
        services.ConfigureAll<OpenApiOptions>(o => o.AddOperationTransformer(DfChatOpenApi.DescribeRequestBodyAsync));
        return builder;
    }
}
