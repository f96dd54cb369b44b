using System.Net.Http.Json;

namespace Cream.Client;

/// <summary>Email verification and password reset through <see cref="CreamClient"/>: what an app does with the links users receive.</summary>
public sealed partial class CreamClient
{
    /// <summary><c>POST /api/auth/verify-email</c>: marks the email verified with the token of a verification link.</summary>
    /// <exception cref="CreamApiException">400 <c>Invalid or expired token</c> (unknown, used, expired or replaced by a newer link).</exception>
    public Task VerifyEmailAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/verify-email", anonymous: true, content: JsonContent.Create(new VerifyEmailRequest(token), CreamJsonContext.Default.VerifyEmailRequest)),
            cancellationToken);
    }

    /// <summary><c>POST /api/auth/resend-verification</c>: mails the signed-in user a new link; the older one stops working.</summary>
    /// <exception cref="CreamApiException">409 <c>Email is already verified</c>; 429 with <see cref="CreamApiException.RetryAfter"/>; 503 when the service cannot send mail.</exception>
    public Task ResendVerificationAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "api/auth/resend-verification"), cancellationToken);

    /// <summary>
    /// <c>POST /api/auth/forgot-password</c>: asks for a reset link. The answer is the same whether
    /// or not the email has an account; returns its message.
    /// </summary>
    /// <exception cref="CreamApiException">422 for a malformed email; 429; 503 when the service cannot send mail.</exception>
    public async Task<string> ForgotPasswordAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        var answer = await SendAsync(
            Request(HttpMethod.Post, "api/auth/forgot-password", anonymous: true, content: JsonContent.Create(new ForgotPasswordRequest(email), CreamJsonContext.Default.ForgotPasswordRequest)),
            CreamJsonContext.Default.MessageResponse, cancellationToken).ConfigureAwait(false);
        return answer.Message;
    }

    /// <summary>
    /// <c>POST /api/auth/reset-password</c>: sets a new password with the token of a reset link. Every
    /// session of the account ends, this client's included: sign in again with the new password.
    /// </summary>
    /// <exception cref="CreamApiException">400 <c>Invalid or expired token</c>; 422 with the reason the password was refused.</exception>
    public async Task ResetPasswordAsync(string token, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(newPassword);
        await SendAsync(
            Request(HttpMethod.Post, "api/auth/reset-password", anonymous: true,
                content: JsonContent.Create(new ResetPasswordRequest(token, newPassword), CreamJsonContext.Default.ResetPasswordRequest)),
            cancellationToken).ConfigureAwait(false);
        await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
    }
}
