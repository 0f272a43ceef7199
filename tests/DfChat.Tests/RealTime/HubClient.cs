using System.Text.Json;
using System.Threading.Channels;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.RealTime;

/// <summary>A SignalR connection of one user that records every chat event it receives.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private static readonly string[] EventNames =
    [
        ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.MessageDeleted,
        ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved, ChatEventNames.MemberAdded,
        ChatEventNames.MemberUpdated, ChatEventNames.MemberRemoved, ChatEventNames.RoomUpdated,
        ChatEventNames.RoomDeleted, ChatEventNames.Read, ChatEventNames.Typing,
    ];

    private readonly Channel<(string Name, JsonElement Payload)> _events = Channel.CreateUnbounded<(string, JsonElement)>();

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var name in EventNames)
            connection.On<JsonElement>(name, payload => _events.Writer.TryWrite((name, payload)));
    }

    public HubConnection Connection { get; }

    /// <summary>
    /// Connects <paramref name="user"/> to the test server's hub over WebSockets, with the token on the
    /// query string as browsers send it, once every event committed so far has been delivered: events
    /// are published after the response, so without that wait a connection could still receive the
    /// events of its test's setup (a room created just before) and a test proving absence would flake.
    /// </summary>
    public static async Task<HubClient> ConnectAsync(ChatApiFactory api, ChatUser user)
    {
        await api.Services.GetRequiredService<ChatOutbox>().WhenIdleAsync();
        var token = user.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        var server = api.Server;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/api/chat/hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = (context, cancellationToken) =>
                {
                    var separator = context.Uri.Query.Length > 0 ? "&" : "?";
                    return new ValueTask<System.Net.WebSockets.WebSocket>(
                        server.CreateWebSocketClient().ConnectAsync(new Uri($"{context.Uri}{separator}access_token={Uri.EscapeDataString(token)}"), cancellationToken));
                };
            })
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync();
        await WaitUntilJoinedAsync(connection);
        return client;
    }

    /// <summary>Connects to a real server (another process) over WebSockets with the bearer token.</summary>
    public static async Task<HubClient> ConnectAsync(Uri hubUrl, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync();
        await WaitUntilJoinedAsync(connection);
        return client;
    }

    /// <summary>
    /// StartAsync returns at the handshake, before the server's OnConnectedAsync has put the connection
    /// into its user's group; a hub call is served only after it, so one round trip closes that window.
    /// </summary>
    private static Task WaitUntilJoinedAsync(HubConnection connection) => connection.InvokeAsync("Unwatch", "0");

    /// <summary>The next event named <paramref name="name"/>, skipping others; fails after <paramref name="seconds"/>.</summary>
    public async Task<JsonElement> NextAsync(string name, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var (eventName, payload) = await _events.Reader.ReadAsync(timeout.Token);
                if (eventName == name)
                    return payload;
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No '{name}' event within {seconds} s.");
        }
    }

    /// <summary>
    /// The events received up to the first <paramref name="name"/> event of room <paramref name="roomId"/>,
    /// which is the last one; fails after <paramref name="seconds"/>. A delivery that did not happen
    /// before an event that must come after it will not happen at all: that is how tests prove absence.
    /// </summary>
    public async Task<List<(string Name, JsonElement Payload)>> UntilAsync(string name, string roomId, double seconds = 10)
    {
        var seen = new List<(string Name, JsonElement Payload)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(timeout.Token);
                seen.Add(next);
                if (next.Name == name && next.Payload.TryGetProperty("roomId", out var room) && room.GetString() == roomId)
                    return seen;
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No '{name}' event of room {roomId} within {seconds} s; got {string.Join(", ", seen.Select(e => e.Name))}.");
        }
    }

    /// <summary>
    /// Proves absence without waiting a fixed time: <paramref name="sender"/> sends a beacon message in
    /// <paramref name="beaconRoom"/>, a room this connection's user belongs to, and this returns every
    /// event received before the beacon (the beacon excluded). A node delivers events to a connection in
    /// commit order, so an event of a change made before the beacon that has not arrived by then was
    /// never sent to this connection.
    /// </summary>
    public async Task<List<(string Name, JsonElement Payload)>> BeforeBeaconAsync(ChatUser sender, string beaconRoom, double seconds = 10)
    {
        var beacon = await sender.SendIdAsync(beaconRoom, "beacon");
        var seen = new List<(string Name, JsonElement Payload)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(timeout.Token);
                if (next.Name == ChatEventNames.MessageCreated && next.Payload.TryGetProperty("id", out var id) && id.GetString() == beacon)
                    return seen;
                seen.Add(next);
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The beacon {beacon} of room {beaconRoom} did not arrive within {seconds} s; got {string.Join(", ", seen.Select(e => e.Name))}.");
        }
    }

    /// <summary>Asserts that nothing at all arrived before the beacon of <see cref="BeforeBeaconAsync"/>.</summary>
    public async Task AssertNothingBeforeBeaconAsync(ChatUser sender, string beaconRoom)
    {
        var seen = await BeforeBeaconAsync(sender, beaconRoom);
        Assert.True(seen.Count == 0, $"Expected nothing before the beacon, got: {string.Join("; ", seen.Select(e => $"{e.Name} {e.Payload}"))}");
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
