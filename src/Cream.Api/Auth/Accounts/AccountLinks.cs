using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Cream.Api.Email;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Accounts;

/// <summary>A link token as it goes into an email, and the hash that is all the database keeps.</summary>
public readonly record struct LinkToken(string Token, string Hash)
{
    /// <summary>At least 256 random bits, base64url (the refresh tokens' generator).</summary>
    public static LinkToken New()
    {
        var token = RefreshTokenCrypto.NewToken();
        return new(token, Hex(token));
    }

    /// <summary>The hash of a presented token, or null for one no link of ours could carry.</summary>
    public static string? HashOf(string? presented) =>
        presented is { Length: >= 32 and <= 128 } ? Hex(presented) : null;

    private static string Hex(string token) => Convert.ToHexStringLower(RefreshTokenCrypto.Hash(token));
}

/// <summary>
/// The links account emails carry, built on <c>Accounts__LinkBaseUrl</c> (never on a request's
/// <c>Host</c>, so a reset link cannot be poisoned), and whether any can be sent at all.
/// </summary>
public sealed class AccountLinks(PublicUrls urls, IEmailOutbox outbox, IOptions<AccountsOptions> options)
{
    public AccountsOptions Options { get; } = options.Value;

    /// <summary>Mail can be delivered and links have a base to point at.</summary>
    public bool CanSend => outbox.CanDeliver && urls.LinkBase is not null;

    public string VerifyEmail(string token) => $"{urls.LinkBase}/verify-email?token={token}";

    public string ResetPassword(string token) => $"{urls.LinkBase}/reset-password?token={token}";
}
