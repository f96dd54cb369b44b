using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Cream.Api.Email;

/// <summary>Delivers messages for one round of the sender.</summary>
internal interface IMailTransport : IAsyncDisposable
{
    /// <summary>Delivers <paramref name="message"/>; returns where it was written, for a pickup folder.</summary>
    /// <exception cref="MailTransportUnavailableException">The relay (or folder) cannot be reached at all: the round ends.</exception>
    Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The relay or the folder cannot be reached: not the message's fault, so the round stops there.</summary>
internal sealed class MailTransportUnavailableException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>One SMTP connection, opened at the first message and closed with <c>QUIT</c> at the end of the round.</summary>
internal sealed class SmtpTransport(EmailOptions options, string host) : IMailTransport
{
    /// <summary>Each SMTP step gives up after this; a claim lasts far longer.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    private readonly SmtpClient _client = new() { Timeout = (int)StepTimeout.TotalMilliseconds };

    public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            await ConnectAsync(cancellationToken);
        }

        await _client.SendAsync(message, cancellationToken);
        return null;
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ConnectAsync(host, options.SmtpPort, SocketOptions(options.Security), cancellationToken);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await _client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new MailTransportUnavailableException($"SMTP {host}:{options.SmtpPort}: {exception.Message}", exception);
        }
    }

    public static SecureSocketOptions SocketOptions(EmailSecurity security) => security switch
    {
        EmailSecurity.None => SecureSocketOptions.None,
        EmailSecurity.StartTls => SecureSocketOptions.StartTls,
        EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(StepTimeout);
                await _client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // Every message of the round is already recorded; a QUIT the server did not answer changes nothing.
        }
        finally
        {
            _client.Dispose();
        }
    }
}

/// <summary>Development without a relay: each message becomes an <c>.eml</c> file that a mail client opens.</summary>
internal sealed class PickupTransport(string directory) : IMailTransport
{
    public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var name = (message.MessageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId()).Split('@')[0];
        var path = Path.Combine(directory, $"{message.Date.UtcDateTime:yyyyMMdd-HHmmss}-{name}.eml");
        var partial = path + ".partial";
        try
        {
            Directory.CreateDirectory(directory);
            // Written aside, then renamed: whoever watches the folder never reads half a message.
            await message.WriteToAsync(partial, cancellationToken);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MailTransportUnavailableException($"Pickup folder {directory}: {exception.Message}", exception);
        }

        return path;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
