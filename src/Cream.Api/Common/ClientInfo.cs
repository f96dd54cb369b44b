namespace Cream.Api.Common;

/// <summary>Where a sign-in comes from, as recorded on its session and in the audit trail.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent)
{
    /// <summary>What is kept of a <c>User-Agent</c> header (sessions, audit rows).</summary>
    public const int UserAgentMaxLength = 512;

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
