using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.Revocation;

/// <summary>The <c>Revocation</c> configuration section.</summary>
public sealed class RevocationOptions
{
    public const string SectionName = "Revocation";

    /// <summary>
    /// How often each instance reloads the revocation state from the database: the bound on
    /// how long a lost pub/sub message can keep a revoked token alive on another instance.
    /// </summary>
    [Range(1, 3600)]
    public int ResyncSeconds { get; set; } = 15;
}

/// <summary>The <c>Redis</c> configuration section.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string; empty keeps everything in process.</summary>
    public string? Configuration { get; set; }
}
