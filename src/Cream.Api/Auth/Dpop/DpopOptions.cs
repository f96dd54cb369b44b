using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.Dpop;

/// <summary>The <c>Dpop</c> configuration section (RFC 9449 sender-constrained tokens).</summary>
public sealed class DpopOptions
{
    public const string SectionName = "Dpop";

    /// <summary>True: the token endpoints refuse a request without a proof, so every token issued is bound.</summary>
    public bool Required { get; set; }

    /// <summary>How old a proof's <c>iat</c> may be, in seconds (the clock skew comes on top).</summary>
    [Range(5, 600)]
    public int ProofLifetimeSeconds { get; set; } = 60;

    /// <summary>True: proofs must carry a nonce this service handed out (RFC 9449 sections 8 and 9).</summary>
    public bool RequireNonce { get; set; }
}
