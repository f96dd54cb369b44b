using System.Text;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>The key, its id and the validation parameters the bearer scheme uses.</summary>
public sealed class AccessTokenKeysTests
{
    private readonly TestTokens _tokens = new();

    [Fact]
    public void The_clock_skew_is_30_seconds_by_default_not_the_libraries_5_minutes()
    {
        var parameters = _tokens.Keys.ValidationParameters;

        Assert.Equal(TimeSpan.FromSeconds(30), parameters.ClockSkew);
        Assert.NotEqual(TokenValidationParameters.DefaultClockSkew, parameters.ClockSkew);
    }

    [Fact]
    public void The_clock_skew_comes_from_the_options()
    {
        var tokens = new TestTokens(new JwtOptions { Secret = TestTokens.NewSecret(), ClockSkewSeconds = 5 });

        Assert.Equal(TimeSpan.FromSeconds(5), tokens.Keys.ValidationParameters.ClockSkew);
    }

    [Fact]
    public void Only_HS256_is_a_valid_algorithm()
    {
        var parameters = _tokens.Keys.ValidationParameters;

        Assert.Equal(["HS256"], parameters.ValidAlgorithms);
        Assert.Equal(SecurityAlgorithms.HmacSha256, _tokens.Keys.SigningCredentials.Algorithm);
    }

    [Fact]
    public void Only_the_key_named_by_the_kid_is_tried_and_signatures_are_required()
    {
        var parameters = _tokens.Keys.ValidationParameters;

        Assert.False(parameters.TryAllIssuerSigningKeys);
        Assert.True(parameters.RequireSignedTokens);
        Assert.True(parameters.ValidateIssuerSigningKey);
        Assert.Null(parameters.IssuerSigningKeys);
        Assert.Null(parameters.IssuerSigningKey);
        var resolve = parameters.IssuerSigningKeyResolver!;
        Assert.Same(_tokens.Keys.SigningKey, Assert.Single(resolve("token", null!, _tokens.Keys.SigningKey.KeyId, parameters)));
        Assert.Empty(resolve("token", null!, "another-kid", parameters));
        Assert.Empty(resolve("token", null!, null!, parameters));
    }

    [Fact]
    public void Issuer_audience_and_lifetime_are_checked_and_required()
    {
        var parameters = _tokens.Keys.ValidationParameters;

        Assert.True(parameters.ValidateIssuer);
        Assert.True(parameters.ValidateAudience);
        Assert.True(parameters.ValidateLifetime);
        Assert.True(parameters.RequireAudience);
        Assert.True(parameters.RequireExpirationTime);
        Assert.Equal(_tokens.Options.Issuer, parameters.ValidIssuer);
        Assert.Equal(_tokens.Options.Audience, parameters.ValidAudience);
        Assert.NotNull(parameters.LifetimeValidator);
        Assert.NotNull(parameters.TypeValidator);
    }

    [Fact]
    public void Names_and_roles_are_read_from_sub_and_roles()
    {
        var parameters = _tokens.Keys.ValidationParameters;

        Assert.Equal("sub", parameters.NameClaimType);
        Assert.Equal("roles", parameters.RoleClaimType);
    }

    [Fact]
    public void The_key_is_the_utf8_bytes_of_the_secret()
    {
        Assert.Equal(Encoding.UTF8.GetBytes(_tokens.Options.Secret!), Assert.IsType<SymmetricSecurityKey>(_tokens.Keys.SigningKey).Key);
    }

    [Fact]
    public void The_lifetime_comes_from_the_options()
    {
        var tokens = new TestTokens(new JwtOptions { Secret = TestTokens.NewSecret(), AccessTokenMinutes = 5 });

        Assert.Equal(TimeSpan.FromMinutes(5), tokens.Keys.AccessTokenLifetime);
    }

    [Fact]
    public void The_key_id_is_stable_for_the_same_secret()
    {
        var again = new TestTokens(new JwtOptions { Secret = _tokens.Options.Secret });

        Assert.Equal(_tokens.Keys.SigningKey.KeyId, again.Keys.SigningKey.KeyId);
        Assert.Equal(_tokens.Keys.SigningKey.KeyId, AccessTokenKeys.KeyIdFor(_tokens.SecretBytes));
    }

    [Fact]
    public void Another_secret_gets_another_key_id()
    {
        var other = new TestTokens();

        Assert.NotEqual(_tokens.Keys.SigningKey.KeyId, other.Keys.SigningKey.KeyId);
    }

    [Fact]
    public void The_key_id_is_16_url_safe_characters_that_do_not_contain_the_secret()
    {
        var kid = _tokens.Keys.SigningKey.KeyId;

        Assert.Equal(16, kid.Length);
        Assert.Matches("^[A-Za-z0-9_-]{16}$", kid);
        Assert.DoesNotContain(kid, _tokens.Options.Secret!, StringComparison.Ordinal);
        Assert.NotEqual(Base64UrlEncoder.Encode(_tokens.SecretBytes)[..16], kid);
    }

    [Fact]
    public void A_missing_secret_stops_construction_with_a_message_naming_the_setting()
    {
        var options = Options.Create(new JwtOptions { Secret = null });

        var exception = Assert.Throws<InvalidOperationException>(() => new AccessTokenKeys(options, new FakeTimeProvider()));

        Assert.Contains("Jwt:Secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_options_throws()
    {
        Assert.Throws<ArgumentNullException>("options", () => new AccessTokenKeys(null!, new FakeTimeProvider()));
    }
}
