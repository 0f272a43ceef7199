using DfChat.AspNetCore;
using DfChat.AspNetCore.Hosting;
using DfChat.AspNetCore.RealTime;
using DfChat.Events;
using DfChat.Options;
using DfChat.Services;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

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
        // Before the core's defaults, so that presence comes from the hub's connections.
        services.TryAddSingleton<IPresenceStore, InMemoryPresenceStore>();
        if (!services.Any(d => d.ServiceType == typeof(PresenceTracker)))
        {
            services.AddSingleton<PresenceTracker>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PresenceTracker>());
        }

        services.TryAddSingleton<IChatPresence>(sp => sp.GetRequiredService<PresenceTracker>());
        var builder = services.AddDfChatCore<TUser>(configure);
        services.AddSignalR();
        services.AddAuthorization();
        services.TryAddSingleton<TypingThrottle>();
        services.TryAddSingleton<ChatRateLimiter>();
        services.TryAddSingleton<ChatConnectionRegistry>();
        services.TryAddSingleton<ChatHubLifetimeManager>();
        // For the chat hub alone, so that it wins over a HubLifetimeManager<> the host registers for all hubs.
        services.TryAddSingleton<HubLifetimeManager<ChatHub>>(sp => sp.GetRequiredService<ChatHubLifetimeManager>());
        services.TryAddSingleton<ChatEventQueue>();
        services.TryAddSingleton<IChatEventBus, InProcessChatEventBus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatEventListener, SignalRChatEventListener>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatEventDelivery>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatOutboxService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatMediaSweepService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatReportRecoveryService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<DfChat.IChatBlockObserver, BlockChangesToBus>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChatSearchIndexService>());
        services.ConfigureAll<OpenApiOptions>(DfChatOpenApi.Configure);
        services.PostConfigureAll<OpenApiOptions>(DfChatOpenApi.PostConfigure);
        return builder;
    }

    /// <summary>
    /// Delivers hub events to clients on every node of a multi-node deployment through Redis pub/sub: one
    /// message per event on one channel, whatever the size of the room.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each node keeps the rooms of the users connected to it and delivers the events it receives to them,
    /// so the chat needs no SignalR backplane (it would publish one Redis message per member): do not add
    /// <c>AddStackExchangeRedis()</c> for the chat; if the host adds it for its own hubs, the chat's hub
    /// keeps its own delivery.
    /// </para>
    /// <para>
    /// A Redis outage never fails or slows a request: changes are stored, this node's clients still get
    /// their events, other nodes miss them until Redis returns (clients catch up with the events log),
    /// then delivery resumes by itself. Nodes sharing a Redis server with other deployments need their own
    /// channel: give a <c>channelPrefix</c> in the configuration string.
    /// </para>
    /// </remarks>
    /// <typeparam name="TUser">The host's user entity.</typeparam>
    /// <param name="builder">The chat's builder, from <c>AddDfChat&lt;TUser&gt;()</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, such as <c>localhost:6379</c> or <c>redis1:6379,password=…,channelPrefix=myapp</c>.</param>
    /// <param name="configure">Adjusts the parsed configuration; optional.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddDfChat&lt;AppUser&gt;()
    ///        .UseDbContext&lt;AppDbContext&gt;()
    ///        .UseRedisBackplane(builder.Configuration.GetConnectionString("Redis")!);
    /// </code>
    /// </example>
    public static DfChatBuilder<TUser> UseRedisBackplane<TUser>(this DfChatBuilder<TUser> builder, string configuration, Action<ConfigurationOptions>? configure = null)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        // Start and keep running without Redis: the multiplexer connects, and reconnects, in the background.
        options.AbortOnConnectFail = false;
        configure?.Invoke(options);

        var services = builder.Services;
        services.Configure<ChatRedisBusOptions>(o => o.Configuration = options);
        if (!services.Any(d => d.ServiceType == typeof(RedisChatEventBus)))
        {
            services.AddSingleton<RedisChatEventBus>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RedisChatEventBus>());
        }

        services.Replace(ServiceDescriptor.Singleton<IChatEventBus>(sp => sp.GetRequiredService<RedisChatEventBus>()));
        services.Replace(ServiceDescriptor.Singleton<IPresenceStore, RedisPresenceStore>());
        return builder;
    }
}
