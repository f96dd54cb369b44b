using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cream.Api.Auth;

/// <summary>
/// The <c>Cream.Auth</c> meter: one counter per kind of authentication event and the time
/// logins and token validations take. Tags are small closed sets (outcome, reason, kind),
/// never a user, an address or a token.
/// </summary>
public sealed class AuthMetrics
{
    public const string MeterName = "Cream.Auth";

    private readonly Counter<long> _signups;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _reuseDetections;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _invalidTokens;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _accessDenied;
    private readonly Counter<long> _lastAdminRefusals;
    private readonly Counter<long> _accountDeletions;
    private readonly Histogram<double> _loginDuration;
    private readonly Histogram<double> _validationDuration;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _signups = Meter.CreateCounter<long>("cream.auth.signups", "{signup}", "Signups, by outcome");
        _logins = Meter.CreateCounter<long>("cream.auth.logins", "{login}", "Password logins, by outcome and failure reason");
        _refreshes = Meter.CreateCounter<long>("cream.auth.refreshes", "{refresh}", "Refresh token uses, by outcome and reason");
        _reuseDetections = Meter.CreateCounter<long>("cream.auth.refresh_reuse_detections", "{detection}", "Rotated refresh tokens presented again (each revokes a session)");
        _revocations = Meter.CreateCounter<long>("cream.auth.revocations", "{revocation}", "Sessions, users' tokens and single access tokens revoked, by kind and reason");
        _invalidTokens = Meter.CreateCounter<long>("cream.auth.invalid_tokens", "{token}", "Bearer tokens refused, by reason");
        _lockouts = Meter.CreateCounter<long>("cream.auth.lockouts", "{lockout}", "Login or refresh attempts refused by the brute-force limits, by scope");
        _accessDenied = Meter.CreateCounter<long>("cream.auth.access_denied", "{request}", "Authenticated requests refused for lack of the admin role (403)");
        _lastAdminRefusals = Meter.CreateCounter<long>("cream.auth.last_admin_refusals", "{request}", "Admin changes refused because no other active admin would remain (409), by change");
        _accountDeletions = Meter.CreateCounter<long>("cream.auth.account_deletions", "{deletion}", "Accounts deleted, and deletions refused for a wrong password, by outcome and who asked (user or admin)");
        _loginDuration = Meter.CreateHistogram<double>("cream.auth.login.duration", "s", "Time to answer a password login, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _validationDuration = Meter.CreateHistogram<double>("cream.auth.token_validation.duration", "s", "Time to validate a bearer token, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.001, 0.01, 0.1] });
    }

    /// <summary>The meter itself, so an exporter can tell this host's instruments from another's.</summary>
    public Meter Meter { get; }

    public void Signup(bool succeeded) => _signups.Add(1, Outcome(succeeded));

    public void Login(bool succeeded, string reason, long startTimestamp)
    {
        _logins.Add(1, Outcome(succeeded), new KeyValuePair<string, object?>("reason", reason));
        _loginDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Outcome(succeeded));
    }

    public void Refresh(bool succeeded, string reason) =>
        _refreshes.Add(1, Outcome(succeeded), new KeyValuePair<string, object?>("reason", reason));

    public void RefreshReuseDetected() => _reuseDetections.Add(1);

    public void Revoked(string kind, string reason, int count = 1) =>
        _revocations.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("reason", reason));

    public void InvalidToken(string reason) => _invalidTokens.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Lockout(string scope) => _lockouts.Add(1, new KeyValuePair<string, object?>("scope", scope));

    public void AccessDenied() => _accessDenied.Add(1);

    /// <param name="change"><c>role_removal</c>, <c>disable</c> or <c>delete</c>.</param>
    public void LastAdminRefused(string change) => _lastAdminRefusals.Add(1, new KeyValuePair<string, object?>("change", change));

    /// <param name="by"><c>user</c> (their own account) or <c>admin</c>.</param>
    public void AccountDeletion(bool succeeded, string by) =>
        _accountDeletions.Add(1, Outcome(succeeded), new KeyValuePair<string, object?>("by", by));

    /// <summary>Called on every authenticated request: no allocation, and nearly free while nobody listens.</summary>
    public void TokenValidated(bool valid, long startTimestamp)
    {
        if (_validationDuration.Enabled)
        {
            _validationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, Outcome(valid));
        }
    }

    private static KeyValuePair<string, object?> Outcome(bool succeeded) =>
        new("outcome", succeeded ? "success" : "failure");
}
