namespace Cream.Client;

/// <summary>The tokens a client signs its requests with.</summary>
/// <param name="AccessToken">The bearer access token.</param>
/// <param name="RefreshToken">The refresh token that obtains the next pair.</param>
/// <param name="AccessTokenExpiresAt">When the access token expires, on the client's clock.</param>
public sealed record TokenSet(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt)
{
    /// <summary>The tokens of a token response received at <paramref name="receivedAt"/>.</summary>
    public static TokenSet From(TokenResponse response, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new TokenSet(response.AccessToken, response.RefreshToken, receivedAt.AddSeconds(response.ExpiresIn));
    }

    /// <summary>Leaves both tokens out.</summary>
    public override string ToString() => $"TokenSet {{ AccessTokenExpiresAt = {AccessTokenExpiresAt:O} }}";
}

/// <summary>
/// Where a client keeps its tokens between requests: memory by default, or secure platform
/// storage so a user stays signed in across restarts. One store serves one signed-in user.
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
