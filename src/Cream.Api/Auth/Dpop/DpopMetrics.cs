using System.Diagnostics.Metrics;

namespace Cream.Api.Auth.Dpop;

/// <summary>Counters of DPoP proofs, on the auth meter's neighbour <c>Cream.Auth.Dpop</c>.</summary>
public sealed class DpopMetrics
{
    public const string MeterName = "Cream.Auth.Dpop";

    private readonly Counter<long> _refused;
    private readonly Counter<long> _checkedLocally;

    public DpopMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _refused = meter.CreateCounter<long>("cream.auth.dpop.proofs_refused", "{proof}", "DPoP proofs (or token bindings) refused, by reason");
        _checkedLocally = meter.CreateCounter<long>("cream.auth.dpop.replay_checked_locally", "{proof}",
            "DPoP proofs checked for replay on this instance only, because Redis could not answer");
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ReplayCheckedLocally() => _checkedLocally.Add(1);
}
