using System.Text.Json.Serialization;

namespace Cream.Client;

internal sealed record RefreshRequest(string RefreshToken);

internal sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

internal sealed record DeleteAccountRequest(string Password, string? Code = null);

internal sealed record PasswordBody(string Password);

internal sealed record CodeBody(string Code);

internal sealed record DisableTwoFactorBody(string Password, string Code);

internal sealed record MfaVerifyBody(string MfaToken, string Code);

internal sealed record RecoveryCodesBody(IReadOnlyList<string> RecoveryCodes);

internal sealed record TrackRequest(string Symbol);

internal sealed record VerifyEmailRequest(string Token);

internal sealed record ForgotPasswordRequest(string Email);

internal sealed record ResetPasswordRequest(string Token, string NewPassword);

internal sealed record MessageResponse(string Message);

/// <summary>An RFC 9457 problem detail, with the RFC 6749 members token endpoints add.</summary>
internal sealed record ProblemBody(
    string? Title,
    string? Detail,
    string? Error,
    string? ErrorDescription,
    Dictionary<string, string[]>? Errors,
    string? MfaToken = null,
    int? MfaTokenExpiresIn = null);

/// <summary>Serialization code generated at build time: no reflection, safe to trim.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(DeleteAccountRequest))]
[JsonSerializable(typeof(TrackRequest))]
[JsonSerializable(typeof(VerifyEmailRequest))]
[JsonSerializable(typeof(ForgotPasswordRequest))]
[JsonSerializable(typeof(ResetPasswordRequest))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(List<SessionInfo>))]
[JsonSerializable(typeof(IntrospectionResponse))]
[JsonSerializable(typeof(UserPage))]
[JsonSerializable(typeof(StockStatusResponse))]
[JsonSerializable(typeof(TrackedStockPage))]
[JsonSerializable(typeof(DiscoveryDocument))]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(AuditEventPage))]
[JsonSerializable(typeof(UserCursorPage))]
[JsonSerializable(typeof(AuditEventCursorPage))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(PasswordBody))]
[JsonSerializable(typeof(CodeBody))]
[JsonSerializable(typeof(DisableTwoFactorBody))]
[JsonSerializable(typeof(MfaVerifyBody))]
[JsonSerializable(typeof(RecoveryCodesBody))]
[JsonSerializable(typeof(TotpSetup))]
internal sealed partial class CreamJsonContext : JsonSerializerContext;
