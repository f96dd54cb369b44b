using System.ComponentModel.DataAnnotations;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Configuration;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>The <c>Jwt</c> section: its defaults, its binding and the ranges its attributes enforce.</summary>
public sealed class JwtOptionsTests
{
    private static List<ValidationResult> Problems(JwtOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void The_defaults_are_HS256_30_minute_tokens_7_day_refresh_and_30_seconds_skew_without_a_key()
    {
        var options = new JwtOptions();

        Assert.Equal("Jwt", JwtOptions.SectionName);
        Assert.Equal("cream-api", options.Issuer);
        Assert.Equal("cream-api", options.Audience);
        Assert.Equal("HS256", options.Algorithm);
        Assert.Null(options.Secret);
        Assert.Null(options.PrivateKeyPath);
        Assert.Equal(30, options.AccessTokenMinutes);
        Assert.Equal(7, options.RefreshTokenDays);
        Assert.Equal(30, options.ClockSkewSeconds);
        Assert.Empty(Problems(options));
    }

    [Fact]
    public void Every_setting_binds_from_the_Jwt_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jwt:Issuer"] = "issuer",
            ["Jwt:Audience"] = "audience",
            ["Jwt:Algorithm"] = "RS256",
            ["Jwt:Secret"] = "secret",
            ["Jwt:PrivateKeyPath"] = "/keys/private.pem",
            ["Jwt:AccessTokenMinutes"] = "10",
            ["Jwt:RefreshTokenDays"] = "14",
            ["Jwt:ClockSkewSeconds"] = "5",
        }).Build();

        var options = configuration.GetSection(JwtOptions.SectionName).Get<JwtOptions>()!;

        Assert.Equal("issuer", options.Issuer);
        Assert.Equal("audience", options.Audience);
        Assert.Equal("RS256", options.Algorithm);
        Assert.Equal("secret", options.Secret);
        Assert.Equal("/keys/private.pem", options.PrivateKeyPath);
        Assert.Equal(10, options.AccessTokenMinutes);
        Assert.Equal(14, options.RefreshTokenDays);
        Assert.Equal(5, options.ClockSkewSeconds);
    }

    [Theory]
    [InlineData(nameof(JwtOptions.AccessTokenMinutes), 0)]
    [InlineData(nameof(JwtOptions.AccessTokenMinutes), 24 * 60 + 1)]
    [InlineData(nameof(JwtOptions.RefreshTokenDays), 0)]
    [InlineData(nameof(JwtOptions.RefreshTokenDays), 366)]
    [InlineData(nameof(JwtOptions.ClockSkewSeconds), -1)]
    [InlineData(nameof(JwtOptions.ClockSkewSeconds), 301)]
    public void A_number_out_of_range_is_refused(string property, int value)
    {
        var options = new JwtOptions();
        typeof(JwtOptions).GetProperty(property)!.SetValue(options, value);

        var problem = Assert.Single(Problems(options));

        Assert.Equal([property], problem.MemberNames);
    }

    [Theory]
    [InlineData(nameof(JwtOptions.Issuer))]
    [InlineData(nameof(JwtOptions.Audience))]
    public void An_empty_issuer_or_audience_is_refused(string property)
    {
        var options = new JwtOptions();
        typeof(JwtOptions).GetProperty(property)!.SetValue(options, string.Empty);

        var problem = Assert.Single(Problems(options));

        Assert.Equal([property], problem.MemberNames);
    }
}
