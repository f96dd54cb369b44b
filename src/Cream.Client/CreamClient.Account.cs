using System.Net.Http.Json;

namespace Cream.Client;

/// <summary>The sign-in, token and signed-in user endpoints of <see cref="CreamClient"/>.</summary>
public sealed partial class CreamClient
{
    // --- Sign-in and tokens ---------------------------------------------------------------

    /// <summary>
    /// <c>POST /api/auth/signup</c>: creates the account and signs this client in as it. Null when
    /// the service wants the email verified first (<c>Accounts__RequireVerifiedEmail</c>: 202, no
    /// token, whether or not the email was new): sign in after the link in the email was used.
    /// </summary>
    /// <exception cref="CreamApiException">400 <c>Email already registered</c>; 422 invalid input.</exception>
    public async Task<TokenResponse?> SignupAsync(SignupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var http = Request(HttpMethod.Post, "api/auth/signup", anonymous: true, content: JsonContent.Create(request, CreamJsonContext.Default.SignupRequest));
        using var response = await SendCheckedAsync(http, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.Accepted)
        {
            return null;
        }

        var tokens = await response.Content.ReadFromJsonAsync(CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false)
            ?? throw new System.Text.Json.JsonException("The signup response had an empty body.");
        await StoreAsync(tokens, http, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary>
    /// <c>POST /api/auth/login</c> with the OAuth 2.0 password grant (a form): signs this client in. For an
    /// account with two-factor on it throws <see cref="CreamMfaRequiredException"/>: pass its
    /// <see cref="CreamMfaRequiredException.MfaToken"/> and the user's code to <see cref="VerifyMfaAsync"/>.
    /// </summary>
    /// <exception cref="CreamMfaRequiredException">The password was right; a two-factor code is required.</exception>
    /// <exception cref="CreamApiException">401 <c>Incorrect email or password</c> (<c>invalid_grant</c>); 429 with <see cref="CreamApiException.RetryAfter"/>.</exception>
    public async Task<TokenResponse> LoginAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var form = new FormUrlEncodedContent(
        [
            new("grant_type", "password"),
            new("username", username),
            new("password", password),
        ]);
        var request = Request(HttpMethod.Post, "api/auth/login", anonymous: true, content: form);
        var tokens = await SendAsync(request, CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        await StoreAsync(tokens, request, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary>
    /// <c>POST /api/auth/refresh</c>: exchanges a refresh token for a new pair, which this client then
    /// uses. The auth handler refreshes on its own; call this only for a refresh token obtained elsewhere.
    /// </summary>
    /// <exception cref="CreamApiException">401 <c>invalid_grant</c> for an unknown, expired, rotated or revoked refresh token.</exception>
    public async Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refreshToken);
        var request = Request(HttpMethod.Post, "api/auth/refresh", anonymous: true,
            content: JsonContent.Create(new RefreshRequest(refreshToken), CreamJsonContext.Default.RefreshRequest));
        var tokens = await SendAsync(request, CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        await StoreAsync(tokens, request, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary><c>POST /api/auth/logout</c>: ends this session on the server and forgets its tokens here, whatever the answer.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(Request(HttpMethod.Post, "api/auth/logout"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /api/auth/logout-all</c>: ends every session of the user and forgets this client's tokens, whatever the answer.</summary>
    public async Task LogoutAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(Request(HttpMethod.Post, "api/auth/logout-all"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>POST /api/auth/revoke</c> (RFC 7009): revokes an access token, or a refresh token and with it
    /// its whole session. Succeeds for unknown tokens too. Revoking this client's own refresh token signs it out.
    /// </summary>
    /// <param name="token">The token to revoke.</param>
    /// <param name="tokenTypeHint"><c>access_token</c> or <c>refresh_token</c>; only a hint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task RevokeAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        await SendAsync(Request(HttpMethod.Post, "api/auth/revoke", anonymous: true, content: TokenForm(token, tokenTypeHint)), cancellationToken).ConfigureAwait(false);
        if (await _store.GetAsync(cancellationToken).ConfigureAwait(false) is { } stored
            && string.Equals(stored.RefreshToken, token, StringComparison.Ordinal))
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /api/auth/introspect</c> (RFC 7662, admin): whether a token is active, and for whom.</summary>
    /// <param name="token">The token to look at.</param>
    /// <param name="tokenTypeHint"><c>access_token</c> or <c>refresh_token</c>; only a hint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>.</exception>
    public Task<IntrospectionResponse> IntrospectAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/introspect", content: TokenForm(token, tokenTypeHint)),
            CreamJsonContext.Default.IntrospectionResponse, cancellationToken);
    }

    // --- The signed-in user ---------------------------------------------------------------

    /// <summary><c>GET /api/auth/me</c>: the signed-in user's profile.</summary>
    /// <exception cref="CreamApiException">401 <c>Not authenticated</c> when signed out.</exception>
    public Task<UserProfile> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "api/auth/me"), CreamJsonContext.Default.UserProfile, cancellationToken);

    /// <summary><c>GET /api/auth/sessions</c>: the user's live sessions, most recently active first.</summary>
    public async Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(Request(HttpMethod.Get, "api/auth/sessions"), CreamJsonContext.Default.ListSessionInfo, cancellationToken)
            .ConfigureAwait(false);

    /// <summary><c>DELETE /api/auth/sessions/{id}</c>: ends one of the user's sessions.</summary>
    /// <exception cref="CreamApiException">404 <c>Session not found</c>.</exception>
    public Task EndSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, Path($"api/auth/sessions/{sessionId}")), cancellationToken);

    /// <summary><c>POST /api/auth/change-password</c>: every other session of the user ends; this one stays signed in.</summary>
    /// <exception cref="CreamApiException">400 <c>Current password is incorrect</c>; 422 invalid new password.</exception>
    public Task ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(currentPassword);
        ArgumentNullException.ThrowIfNull(newPassword);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/change-password", content: JsonContent.Create(new ChangePasswordRequest(currentPassword, newPassword), CreamJsonContext.Default.ChangePasswordRequest)),
            cancellationToken);
    }

    /// <summary>
    /// <c>DELETE /api/auth/me</c>: deletes the signed-in user's account, confirmed with its password;
    /// every session and token of it ends, and this client forgets its tokens.
    /// </summary>
    /// <exception cref="CreamApiException">400 <c>Password is incorrect</c>; 409 <c>The last administrator cannot be removed</c>; 429 with <see cref="CreamApiException.RetryAfter"/>.</exception>
    public Task DeleteMeAsync(string password, CancellationToken cancellationToken = default) =>
        DeleteMeAsync(password, code: null, cancellationToken);

    /// <summary>The same, with a two-factor code (TOTP or recovery), which an account with two-factor on needs.</summary>
    /// <exception cref="CreamApiException">400 <c>Two-factor code required</c> or <c>Invalid two-factor code</c>, and as above.</exception>
    public async Task DeleteMeAsync(string password, string? code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        await SendAsync(
            Request(HttpMethod.Delete, "api/auth/me", content: JsonContent.Create(new DeleteAccountRequest(password, code), CreamJsonContext.Default.DeleteAccountRequest)),
            cancellationToken).ConfigureAwait(false);
        await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
    }
}
