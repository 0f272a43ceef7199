using DfChat.AspNetCore.RealTime;
using HostApp.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DfChat.Tests.RealTime;

/// <summary>How the real-time services are wired: the bus a host gets, and the chat hub's own lifetime manager.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddDfChat_HostAddsALifetimeManagerForAllHubs_ChatHubKeepsItsOwn()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDfChat<AppUser>();
        // What AddSignalR().AddStackExchangeRedis() does: one lifetime manager for every hub.
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(OtherLifetimeManager<>));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<ChatHubLifetimeManager>(provider.GetRequiredService<HubLifetimeManager<ChatHub>>());
        Assert.Same(provider.GetRequiredService<ChatHubLifetimeManager>(), provider.GetRequiredService<HubLifetimeManager<ChatHub>>());
    }

    [Fact]
    public void AddDfChat_WithoutRedis_UsesTheInProcessBus()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDfChat<AppUser>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<InProcessChatEventBus>(provider.GetRequiredService<IChatEventBus>());
    }

    [Fact]
    public void UseRedisBackplane_CalledTwice_OneRedisBusServesAsBusAndHostedService()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDfChat<AppUser>().UseRedisBackplane("127.0.0.1:1").UseRedisBackplane("127.0.0.1:2");
        using var provider = services.BuildServiceProvider();

        var bus = Assert.IsType<RedisChatEventBus>(provider.GetRequiredService<IChatEventBus>());
        Assert.Single(provider.GetServices<IHostedService>(), s => s is RedisChatEventBus);
        Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, bus));
    }

    private sealed class OtherLifetimeManager<THub>(Microsoft.Extensions.Logging.ILogger<DefaultHubLifetimeManager<THub>> logger) : DefaultHubLifetimeManager<THub>(logger)
        where THub : Hub;
}
