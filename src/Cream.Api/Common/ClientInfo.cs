namespace Cream.Api.Common;

/// <summary>Where a sign-in comes from, as recorded on its session and in the audit trail.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent)
{
    /// <summary>What is kept of a <c>User-Agent</c> header (sessions, audit rows).</summary>
    public const int UserAgentMaxLength = 512;

    /// <summary>The RFC 7638 thumbprint of the key of the request's valid DPoP proof, if it had one: what its session is bound to.</summary>
    public string? DpopKey { get; init; }

    public static ClientInfo From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var userAgent = context.Request.Headers.UserAgent.ToString();
        if (userAgent.Length > UserAgentMaxLength)
        {
            userAgent = userAgent[..UserAgentMaxLength];
        }

        return new(context.Connection.RemoteIpAddress?.ToString(), userAgent.Length == 0 ? null : userAgent);
    }
}
