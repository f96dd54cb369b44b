using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Cream.Api.Common;

/// <summary>
/// The <c>Accounts</c> configuration section: read by sign-up and sign-in (in <c>Auth</c>) and by
/// the account pages, so it lives here, below both.
/// </summary>
public sealed class AccountsOptions
{
    public const string SectionName = "Accounts";

    /// <summary>
    /// Absolute base URL of this service (a path is allowed: <c>https://example.com/cream</c>):
    /// discovery and email links are built from it, never from a request's <c>Host</c>.
    /// Unset: the first listen address in Development, none elsewhere.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where email links point; unset: <c>{PublicBaseUrl}/account</c>.</summary>
    public string? LinkBaseUrl { get; set; }

    /// <summary>True: signup issues no token until the email is verified, and an unverified account cannot sign in.</summary>
    public bool RequireVerifiedEmail { get; set; }

    /// <summary>True: the admin policy also requires a second factor (<c>otp</c> in the token's <c>amr</c>).</summary>
    public bool AdminRequiresMfa { get; set; }

    /// <summary>How long a verification link works.</summary>
    [Range(1, 720)]
    public int VerificationTokenHours { get; set; } = 24;

    /// <summary>How long a password reset link works.</summary>
    [Range(5, 1440)]
    public int PasswordResetMinutes { get; set; } = 30;
}

/// <summary>Each URL, when set, is absolute http or https with no query, fragment or user info.</summary>
internal sealed class AccountsOptionsValidator : IValidateOptions<AccountsOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(options.PublicBaseUrl, nameof(AccountsOptions.PublicBaseUrl), "https://cream.example.com", failures);
        Check(options.LinkBaseUrl, nameof(AccountsOptions.LinkBaseUrl), "https://app.example.com/account", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string? value, string property, string example, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(value) && !PublicUrls.IsBaseUrl(value.Trim()))
        {
            var variable = Settings.VariableName($"{AccountsOptions.SectionName}:{property}");
            failures.Add($"{variable} must be an absolute http or https URL such as {example}, without query, fragment or user info.");
        }
    }
}
