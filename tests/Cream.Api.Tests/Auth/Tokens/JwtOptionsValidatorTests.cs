using Cream.Api.Auth.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>A misconfigured signing key stops the service with one line naming the variable to fix.</summary>
public sealed class JwtOptionsValidatorTests
{
    private readonly JwtOptionsValidator _validator = new();

    [Fact]
    public void A_random_secret_with_the_default_algorithm_passes()
    {
        var options = new JwtOptions { Secret = TestTokens.NewSecret() };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.Equal("HS256", options.Algorithm);
    }

    [Fact]
    public void A_random_secret_of_exactly_32_bytes_passes()
    {
        var secret = TestTokens.NewSecret()[..32];

        var result = _validator.Validate(null, new JwtOptions { Secret = secret });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void A_missing_secret_fails_naming_Jwt__Secret(string? secret)
    {
        var result = _validator.Validate(null, new JwtOptions { Secret = secret });

        Assert.True(result.Failed);
        Assert.StartsWith("Jwt__Secret is missing", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("your-256-bit-secret")]
    [InlineData("k7Qz9vX2mP4wR8tY1uN6bE3cL5hJ0gA")]
    public void A_secret_under_32_bytes_fails_naming_Jwt__Secret(string secret)
    {
        var result = _validator.Validate(null, new JwtOptions { Secret = secret });

        Assert.True(result.Failed);
        Assert.Equal("Jwt__Secret is too short: it must be at least 32 bytes.", result.FailureMessage);
    }

    [Theory]
    [InlineData("your-256-bit-secret-your-256-bit-secret")]
    [InlineData("change-me-change-me-change-me-change-me")]
    [InlineData("CHANGEME_CHANGEME_CHANGEME_CHANGEME_2024")]
    [InlineData("super-secret-super-secret-super-secret")]
    [InlineData("my-secret-key-0123456789-0123456789.!")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("abababababababababababababababababababab")]
    [InlineData("  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  ")]
    [InlineData("please-change-this-secret-for-me-7f3a9c2b")]
    public void A_known_placeholder_or_low_entropy_secret_fails_naming_Jwt__Secret(string secret)
    {
        var result = _validator.Validate(null, new JwtOptions { Secret = secret });

        Assert.True(result.Failed);
        Assert.Equal(
            "Jwt__Secret is a known placeholder value: set it to a random value of at least 32 bytes.",
            result.FailureMessage);
    }

    [Fact]
    public void A_40_character_run_of_one_character_is_a_placeholder()
    {
        Assert.NotNull(JwtOptionsValidator.DescribeSecretProblem(new string('z', 40)));
    }

    [Fact]
    public void A_random_secret_that_merely_contains_a_placeholder_word_passes()
    {
        var secret = "secret-" + TestTokens.NewSecret();

        Assert.Null(JwtOptionsValidator.DescribeSecretProblem(secret));
    }

    [Fact]
    public void A_failure_never_echoes_the_secret()
    {
        var secret = "change-me-change-me-change-me-change-me";

        var result = _validator.Validate(null, new JwtOptions { Secret = secret });

        Assert.DoesNotContain(secret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS512")]
    [InlineData("HS512")]
    [InlineData("hs256")]
    [InlineData("none")]
    [InlineData("")]
    public void An_algorithm_other_than_HS256_RS256_or_ES256_fails_naming_Jwt__Algorithm(string algorithm)
    {
        var result = _validator.Validate(null, new JwtOptions { Secret = TestTokens.NewSecret(), Algorithm = algorithm });

        Assert.True(result.Failed);
        Assert.Equal($"Jwt__Algorithm '{algorithm}' is not supported: use HS256, RS256 or ES256.", result.FailureMessage);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public void Asymmetric_algorithms_need_no_secret_and_keep_their_keys_in_the_database_without_a_key_file(string algorithm)
    {
        var result = _validator.Validate(null, new JwtOptions { Algorithm = algorithm });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void No_options_throws()
    {
        Assert.Throws<ArgumentNullException>("options", () => _validator.Validate(null, null!));
    }
}
