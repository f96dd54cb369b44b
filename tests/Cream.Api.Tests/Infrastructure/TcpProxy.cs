using System.Net;
using System.Net.Sockets;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder between the service and its database, so a test can cut the
/// connection the way an outage would (connections reset, new ones refused).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Resets every open connection and refuses new ones.</summary>
    public void Cut()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                try
                {
                    connection.Client?.LingerState = new LingerOption(true, 0); // RST, not FIN
                }
                catch (ObjectDisposedException)
                {
                    // already closed by its pump
                }

                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new TcpClient();
            await upstream.ConnectAsync(_target);
            lock (_gate)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // the other side went away, or the proxy was cut
        }
        finally
        {
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
