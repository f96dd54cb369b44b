using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>One message as the SMTP server took it: the envelope, the raw text and the parsed message.</summary>
public sealed record ReceivedMail(string EnvelopeFrom, IReadOnlyList<string> EnvelopeTo, string Raw, MimeMessage Message);

/// <summary>
/// A real SMTP server (the <c>SmtpServer</c> package) on 127.0.0.1 and a free port, inside the
/// test process. It keeps every message it accepts, and can be stopped (connections are then
/// refused, as in an outage) and started again on the same port.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedMail> _received = [];
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stopping;
    private Task? _running;

    private TestSmtpServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>The settings that point a service instance at this server (plain SMTP, no authentication).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Email:SmtpHost", "127.0.0.1"),
        new("Email:SmtpPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Email:Security", "None"),
    ];

    public static async Task<TestSmtpServer> StartAsync()
    {
        var server = new TestSmtpServer(TestServers.FreeLoopbackPort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Everything received so far, in order of arrival.</summary>
    public IReadOnlyList<ReceivedMail> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Listens again on the same port; returns once a client can connect.</summary>
    public async Task StartAgainAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _stopping = new CancellationTokenSource();
        _running = _server.StartAsync(_stopping.Token);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_running.IsCompleted)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Stops listening and ends every session: from now on connections are refused.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _stopping!.CancelAsync();
        try
        {
            await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // the cancellation above
        }

        _stopping.Dispose();
        _server = null;
    }

    /// <summary>
    /// Waits until <paramref name="count"/> received messages match <paramref name="match"/> (all of
    /// them, by default), calling <paramref name="tick"/> between looks (to move a fake clock on);
    /// returns those messages, or fails after <paramref name="timeout"/> (10 s by default).
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count, Func<ReceivedMail, bool>? match = null, Action? tick = null, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        while (true)
        {
            var matching = Received.Where(match ?? (_ => true)).ToList();
            if (matching.Count >= count)
            {
                return matching;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{matching.Count} of {count} messages arrived within {limit.TotalSeconds} s.");
            }

            tick?.Invoke();
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var mail = new ReceivedMail(
                transaction.From.AsAddress(),
                transaction.To.Select(to => to.AsAddress()).ToList(),
                System.Text.Encoding.UTF8.GetString(bytes),
                MimeMessage.Load(stream, cancellationToken));
            lock (server._gate)
            {
                server._received.Add(mail);
            }

            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
