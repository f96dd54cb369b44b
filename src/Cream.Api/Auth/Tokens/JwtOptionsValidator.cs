using System.Text;
using Cream.Api.Auth.Keys;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// Rules that span fields or need more than an attribute. Each failure is one line that
/// names the environment variable to fix, because that is where operators set it.
/// </summary>
internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public const int MinimumSecretBytes = 32;

    // Values copied from tutorials and templates: a key anybody can read is no key.
    private static readonly string[] KnownPlaceholders =
    [
        "your-256-bit-secret", "your-secret-key", "your_secret_key", "secret", "secretkey", "secret-key",
        "changeme", "change-me", "change_me", "changethis", "change-this", "replace-me", "replaceme",
        "please-change-me", "super-secret", "supersecret", "supersecretkey", "mysecret", "my-secret",
        "my-secret-key", "jwt-secret", "jwtsecret", "default", "password", "development", "test",
    ];

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!SigningAlgorithms.All.Contains(options.Algorithm, StringComparer.Ordinal))
        {
            return ValidateOptionsResult.Fail(
                $"Jwt__Algorithm '{options.Algorithm}' is not supported: use HS256, RS256 or ES256.");
        }

        var problem = SigningAlgorithms.IsAsymmetric(options.Algorithm)
            ? DescribeKeyFileProblem(options.Algorithm, options.PrivateKeyPath)
            : DescribeSecretProblem(options.Secret);
        return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
    }

    /// <summary>
    /// Why the configured PEM key is unusable, or null when it is fine (or when none is named:
    /// the keys then live in the database).
    /// </summary>
    public static string? DescribeKeyFileProblem(string algorithm, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            var weakness = KeyMaterial.DescribeWeakness(KeyMaterial.LoadPem(algorithm, path));
            return weakness is null ? null : $"Jwt__PrivateKeyPath: {weakness}";
        }
        catch (InvalidOperationException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>Why a secret is unusable, or null when it is fine.</summary>
    public static string? DescribeSecretProblem(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return "Jwt__Secret is missing: set it to a random value of at least 32 bytes (for example `openssl rand -base64 48`).";
        }

        if (Encoding.UTF8.GetByteCount(secret) < MinimumSecretBytes)
        {
            return $"Jwt__Secret is too short: it must be at least {MinimumSecretBytes} bytes.";
        }

        if (IsPlaceholder(secret))
        {
            return "Jwt__Secret is a known placeholder value: set it to a random value of at least 32 bytes.";
        }

        return null;
    }

    private static bool IsPlaceholder(string secret)
    {
        var trimmed = secret.Trim();
        if (trimmed.Distinct().Count() <= 2)
        {
            return true; // "aaaa...", "abababab...": no entropy to speak of
        }

        // Placeholders are often padded to the minimum length ("change-me-change-me-...").
        foreach (var placeholder in KnownPlaceholders)
        {
            var rest = trimmed.Replace(placeholder, string.Empty, StringComparison.OrdinalIgnoreCase);
            if (rest.Length < trimmed.Length && rest.Trim('-', '_', ' ', '.', '!', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9').Length == 0)
            {
                return true;
            }
        }

        return trimmed.Contains("change", StringComparison.OrdinalIgnoreCase)
            && trimmed.Contains("me", StringComparison.OrdinalIgnoreCase)
            && trimmed.Contains("secret", StringComparison.OrdinalIgnoreCase);
    }
}
