using System.Net;
using System.Net.Sockets;

namespace DfChat.Tests.Http.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, that a test can unplug (every open connection cut,
/// new ones refused: what clients see of a database restart) and plug back in on the same port.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _plugged = new();

    public TcpProxy(string targetHost, int targetPort)
    {
        (_targetHost, _targetPort) = (targetHost, targetPort);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Plug();
    }

    public int Port { get; }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Plug()
    {
        _plugged = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _plugged.Token);
    }

    /// <summary>Cuts every open connection and refuses new ones until <see cref="Plug"/>.</summary>
    public void Unplug()
    {
        _plugged.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open)
                client.Dispose();
            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Unplug();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken plugged)
    {
        while (!plugged.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(plugged);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, plugged);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken plugged)
    {
        var server = new TcpClient();
        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, plugged);
            var up = client.GetStream().CopyToAsync(server.GetStream(), plugged);
            var down = server.GetStream().CopyToAsync(client.GetStream(), plugged);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Unplugged, or one side closed: both go.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
