using System.Net.Http.Json;

namespace Cream.Client;

/// <summary>Two-factor authentication (TOTP) through <see cref="CreamClient"/>: setup, the login's second step, recovery codes, turning it off.</summary>
public sealed partial class CreamClient
{
    /// <summary>
    /// <c>POST /api/auth/mfa/totp</c>: starts setup, confirmed with the password. Put the secret into
    /// an authenticator app, then call <see cref="ConfirmTotpAsync"/> with a code it shows.
    /// </summary>
    /// <exception cref="CreamApiException">400 <c>Password is incorrect</c>; 409 when two-factor is already on; 429.</exception>
    public Task<TotpSetup> BeginTotpSetupAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/mfa/totp", content: JsonContent.Create(new PasswordBody(password), CreamJsonContext.Default.PasswordBody)),
            CreamJsonContext.Default.TotpSetup, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/auth/mfa/totp/confirm</c>: turns two-factor on with a code of the pending secret.
    /// Returns the ten recovery codes, each usable once; the service shows them only now.
    /// </summary>
    /// <exception cref="CreamApiException">400 <c>Invalid two-factor code</c>; 409 without a pending setup; 429.</exception>
    public Task<IReadOnlyList<string>> ConfirmTotpAsync(string code, CancellationToken cancellationToken = default) =>
        SendCodeAsync("api/auth/mfa/totp/confirm", code, cancellationToken);

    /// <summary><c>POST /api/auth/mfa/recovery-codes</c>: ten new recovery codes for a code (TOTP or recovery); the old ones stop working.</summary>
    /// <exception cref="CreamApiException">400 <c>Invalid two-factor code</c>; 409 when two-factor is off; 429.</exception>
    public Task<IReadOnlyList<string>> RenewRecoveryCodesAsync(string code, CancellationToken cancellationToken = default) =>
        SendCodeAsync("api/auth/mfa/recovery-codes", code, cancellationToken);

    /// <summary><c>DELETE /api/auth/mfa</c>: turns two-factor off, confirmed with the password and a code; every other session ends.</summary>
    /// <exception cref="CreamApiException">400 <c>Password is incorrect</c> or <c>Invalid two-factor code</c>; 409 when it is off; 429.</exception>
    public Task DisableTwoFactorAsync(string password, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(code);
        return SendAsync(
            Request(HttpMethod.Delete, "api/auth/mfa", content: JsonContent.Create(new DisableTwoFactorBody(password, code), CreamJsonContext.Default.DisableTwoFactorBody)),
            cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/auth/mfa/verify</c>: finishes a login that <see cref="LoginAsync"/> answered with a
    /// <see cref="CreamMfaRequiredException"/>, with its <see cref="CreamMfaRequiredException.MfaToken"/>
    /// and a TOTP or recovery code; signs this client in.
    /// </summary>
    /// <exception cref="CreamApiException">401 <c>Invalid two-factor code</c> (five end the token) or an expired or used token (sign in again); 429.</exception>
    public async Task<TokenResponse> VerifyMfaAsync(string mfaToken, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mfaToken);
        ArgumentNullException.ThrowIfNull(code);
        var request = Request(HttpMethod.Post, "api/auth/mfa/verify", anonymous: true,
            content: JsonContent.Create(new MfaVerifyBody(mfaToken, code), CreamJsonContext.Default.MfaVerifyBody));
        var tokens = await SendAsync(request, CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        await StoreAsync(tokens, request, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary><c>DELETE /api/admin/users/{id}/mfa</c> (admin): turns a user's two-factor off (lost authenticator and codes); every session of the user ends.</summary>
    /// <exception cref="CreamApiException">404 <c>User not found</c>; 409 when its two-factor is off.</exception>
    public Task ResetUserTwoFactorAsync(Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, Path($"api/admin/users/{userId}/mfa")), cancellationToken);

    private async Task<IReadOnlyList<string>> SendCodeAsync(string path, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var answer = await SendAsync(
            Request(HttpMethod.Post, path, content: JsonContent.Create(new CodeBody(code), CreamJsonContext.Default.CodeBody)),
            CreamJsonContext.Default.RecoveryCodesBody, cancellationToken).ConfigureAwait(false);
        return answer.RecoveryCodes;
    }
}
