using System.Diagnostics.Metrics;

namespace Cream.Api.Auth.Retention;

/// <summary>
/// The <c>Cream.Retention</c> meter: rows deleted by the background pruner, by table
/// (<c>refresh_tokens</c>, <c>sessions</c>, <c>revoked_access_tokens</c>, <c>signing_keys</c>,
/// <c>email_outbox</c>), so an operator sees the tables stay flat.
/// </summary>
public sealed class RetentionMetrics
{
    public const string MeterName = "Cream.Retention";

    private readonly Counter<long> _deleted;

    public RetentionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _deleted = Meter.CreateCounter<long>("cream.retention.deleted", "{row}", "Rows deleted because they no longer serve anyone, by table");
    }

    /// <summary>The meter itself, so an exporter can tell this host's instruments from another's.</summary>
    public Meter Meter { get; }

    public void Deleted(string table, int rows)
    {
        if (rows > 0)
        {
            _deleted.Add(rows, new KeyValuePair<string, object?>("table", table));
        }
    }
}
