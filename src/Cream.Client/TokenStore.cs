using System.Text.Json.Serialization;

namespace Cream.Client;

/// <summary>The tokens a client signs its requests with.</summary>
/// <param name="AccessToken">The access token (a JWT), sent as <c>Authorization: Bearer</c> or, when bound, <c>DPoP</c>.</param>
/// <param name="RefreshToken">The refresh token that obtains the next pair.</param>
/// <param name="AccessTokenExpiresAt">When the access token expires, on the client's clock.</param>
public sealed record TokenSet(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt)
{
    /// <summary>The token response's <c>token_type</c>: <c>DPoP</c> for tokens bound to <see cref="DpopKey"/>, otherwise bearer (or null, from stores written before).</summary>
    public string? TokenType { get; init; }

    /// <summary>
    /// The private DPoP key (base64 PKCS#8, P-256) the tokens were obtained with, or null. A store
    /// that persists it keeps the binding across restarts; keep it as secret as the refresh token.
    /// </summary>
    public string? DpopKey { get; init; }

    /// <summary>True when the access token is DPoP-bound: it goes out as <c>Authorization: DPoP</c> with a proof.</summary>
    [JsonIgnore]
    public bool IsDpopBound => string.Equals(TokenType, "DPoP", StringComparison.OrdinalIgnoreCase);

    /// <summary>The tokens of a token response received at <paramref name="receivedAt"/>.</summary>
    public static TokenSet From(TokenResponse response, DateTimeOffset receivedAt) => From(response, receivedAt, dpopKey: null);

    /// <summary>The tokens of a token response obtained with proofs of <paramref name="dpopKey"/> (base64 PKCS#8), if any.</summary>
    public static TokenSet From(TokenResponse response, DateTimeOffset receivedAt, string? dpopKey)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new TokenSet(response.AccessToken, response.RefreshToken, receivedAt.AddSeconds(response.ExpiresIn))
        {
            TokenType = response.TokenType,
            DpopKey = dpopKey,
        };
    }

    /// <summary>Leaves both tokens and the key out.</summary>
    public override string ToString() => $"TokenSet {{ TokenType = {TokenType}, AccessTokenExpiresAt = {AccessTokenExpiresAt:O} }}";
}

/// <summary>
/// Where a client keeps its tokens between requests: memory by default, or secure platform
/// storage so a user stays signed in across restarts (with DPoP, keep <see cref="TokenSet.DpopKey"/>
/// too, so the tokens stay usable). One store serves one signed-in user.
/// </summary>
public interface ITokenStore
{
    /// <summary>The current tokens, or null when signed out.</summary>
    ValueTask<TokenSet?> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the current tokens.</summary>
    ValueTask SetAsync(TokenSet tokens, CancellationToken cancellationToken = default);

    /// <summary>Forgets the tokens: the client is signed out.</summary>
    ValueTask ClearAsync(CancellationToken cancellationToken = default);
}

/// <summary>Keeps the tokens in memory for the life of the process.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private volatile TokenSet? _tokens;

    /// <inheritdoc />
    public ValueTask<TokenSet?> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_tokens);

    /// <inheritdoc />
    public ValueTask SetAsync(TokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        _tokens = null;
        return ValueTask.CompletedTask;
    }
}
