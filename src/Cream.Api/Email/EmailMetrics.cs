using System.Diagnostics.Metrics;

namespace Cream.Api.Email;

/// <summary>
/// The <c>Cream.Email</c> meter. <c>queued</c> counts messages handed to the outbox (at
/// <see cref="IEmailOutbox.Enqueue"/>, so a message whose transaction rolls back is counted
/// too); <c>sent</c> and <c>failed</c> are counted by the sender, once per message.
/// </summary>
public sealed class EmailMetrics
{
    public const string MeterName = "Cream.Email";

    private readonly Counter<long> _queued;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retries;

    public EmailMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _queued = Meter.CreateCounter<long>("cream.email.queued", "{message}", "Messages handed to the outbox");
        _sent = Meter.CreateCounter<long>("cream.email.sent", "{message}", "Messages delivered, by transport (smtp or pickup)");
        _failed = Meter.CreateCounter<long>("cream.email.failed", "{message}", "Messages given up after the last allowed attempt");
        _retries = Meter.CreateCounter<long>("cream.email.retries", "{attempt}", "Failed attempts that will be tried again");
    }

    /// <summary>The meter itself, so an exporter can tell this host's instruments from another's.</summary>
    public Meter Meter { get; }

    public void Queued() => _queued.Add(1);

    public void Sent(EmailTransport transport) =>
        _sent.Add(1, new KeyValuePair<string, object?>("transport", transport == EmailTransport.Pickup ? "pickup" : "smtp"));

    public void Failed() => _failed.Add(1);

    public void Retried() => _retries.Add(1);
}
