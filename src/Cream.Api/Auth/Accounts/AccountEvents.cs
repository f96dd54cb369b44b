using System.Diagnostics.Metrics;
using Cream.Api.Audit;

namespace Cream.Api.Auth.Accounts;

/// <summary>The <c>cream.auth.account_links</c> counter: links sent, used and refused, by kind (closed sets of tags).</summary>
public sealed class AccountMetrics(AuthMetrics auth)
{
    private readonly Counter<long> _links = auth.Meter.CreateCounter<long>(
        "cream.auth.account_links", "{link}", "Verification and password reset links, by kind and outcome");

    /// <param name="kind"><c>verification</c> or <c>reset</c>.</param>
    /// <param name="outcome"><c>sent</c>, <c>used</c>, <c>refused</c>, <c>limited</c> or <c>skipped</c>.</param>
    public void Link(string kind, string outcome) =>
        _links.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>
/// The account layer's outcomes, each logged, counted and audited together (as
/// <see cref="AuthEvents"/> does for sign-in). Never a token or a link; an email never appears.
/// </summary>
public sealed class AccountEvents(AuditTrail audit, AccountMetrics metrics, ILogger<AccountEvents> logger)
{
    public const string Verification = "verification";
    public const string Reset = "reset";

    public Task LinkSentAsync(string kind, Guid userId)
    {
        Log.LinkQueued(logger, kind, userId);
        metrics.Link(kind, "sent");
        return audit.SucceededAsync(kind == Reset ? AuthEventTypes.PasswordResetRequested : AuthEventTypes.VerificationSent, userId);
    }

    /// <summary>Not audited: whoever asks (for any email, at any rate) must not grow the trail.</summary>
    public void LinkNotSent(string kind, string why)
    {
        Log.LinkNotQueued(logger, kind, why);
        metrics.Link(kind, why);
    }

    public Task EmailVerifiedAsync(Guid userId)
    {
        Log.EmailVerified(logger, userId);
        metrics.Link(Verification, "used");
        return audit.SucceededAsync(AuthEventTypes.EmailVerified, userId);
    }

    public Task PasswordResetAsync(Guid userId)
    {
        Log.PasswordReset(logger, userId);
        metrics.Link(Reset, "used");
        return audit.SucceededAsync(AuthEventTypes.PasswordReset, userId);
    }

    /// <summary>An invalid, used or expired link: counted and logged, not audited (it names no account).</summary>
    public void LinkRefused(string kind)
    {
        Log.LinkRefused(logger, kind);
        metrics.Link(kind, "refused");
    }
}
