using System.Security.Claims;
using System.Text.Json;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>What a genuine access token says, and that the bearer parameters accept it.</summary>
public sealed class AccessTokenIssuerTests
{
    private readonly TestTokens _tokens = new();

    [Fact]
    public async Task An_issued_token_validates_with_the_bearer_handler_and_parameters()
    {
        var issued = _tokens.Issue("user");

        var result = await _tokens.ValidateAsync(issued.Token);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Null(result.Exception);
    }

    [Fact]
    public void The_header_is_HS256_with_type_at_jwt_and_the_key_id()
    {
        var issued = _tokens.Issue("user");

        var header = TestTokens.Header(issued.Token);

        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(_tokens.Keys.SigningKey.KeyId, header.GetProperty("kid").GetString());
        Assert.Equal(3, header.EnumerateObject().Count());
    }

    [Fact]
    public void The_payload_carries_the_subject_email_roles_session_and_token_id()
    {
        var subject = new AccessTokenSubject(Guid.NewGuid(), "grace@example.com", ["admin", "user"], Guid.NewGuid());

        var issued = _tokens.Issuer.Issue(subject);

        var payload = TestTokens.Payload(issued.Token);
        Assert.Equal(_tokens.Options.Issuer, payload.GetProperty("iss").GetString());
        Assert.Equal(_tokens.Options.Audience, payload.GetProperty("aud").GetString());
        Assert.Equal(subject.UserId.ToString(), payload.GetProperty("sub").GetString());
        Assert.Equal("grace@example.com", payload.GetProperty("email").GetString());
        Assert.Equal(["admin", "user"], payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(subject.SessionId.ToString(), payload.GetProperty("sid").GetString());
        Assert.Equal(issued.TokenId, payload.GetProperty("jti").GetString());
    }

    [Fact]
    public void A_single_role_is_still_a_json_array()
    {
        var issued = _tokens.Issue("admin");

        var roles = TestTokens.Payload(issued.Token).GetProperty("roles");

        Assert.Equal(JsonValueKind.Array, roles.ValueKind);
        Assert.Equal("admin", Assert.Single(roles.EnumerateArray()).GetString());
    }

    [Fact]
    public async Task No_roles_is_an_empty_json_array_and_the_token_still_validates_without_role_claims()
    {
        var issued = _tokens.Issue();

        var roles = TestTokens.Payload(issued.Token).GetProperty("roles");
        var result = await _tokens.ValidateAsync(issued.Token);

        Assert.Equal(JsonValueKind.Array, roles.ValueKind);
        Assert.Empty(roles.EnumerateArray());
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Empty(result.ClaimsIdentity.FindAll(AccessTokenClaims.Roles));
    }

    [Fact]
    public async Task The_validated_identity_names_the_subject_and_holds_each_role()
    {
        var subject = new AccessTokenSubject(Guid.NewGuid(), "grace@example.com", ["admin", "user"], Guid.NewGuid());
        var issued = _tokens.Issuer.Issue(subject);

        var result = await _tokens.ValidateAsync(issued.Token);

        Assert.True(result.IsValid, result.Exception?.Message);
        var principal = new ClaimsPrincipal(result.ClaimsIdentity);
        Assert.Equal(subject.UserId.ToString(), principal.Identity!.Name);
        Assert.True(principal.IsInRole("admin"));
        Assert.True(principal.IsInRole("user"));
        Assert.False(principal.IsInRole("auditor"));
        Assert.Equal(subject.SessionId.ToString(), principal.FindFirstValue(AccessTokenClaims.SessionId));
        Assert.Equal(issued.TokenId, principal.FindFirstValue(AccessTokenClaims.TokenId));
        Assert.Equal("grace@example.com", principal.FindFirstValue(AccessTokenClaims.Email));
    }

    [Fact]
    public void Times_are_whole_seconds_of_the_injected_clock_and_exp_is_iat_plus_the_configured_lifetime()
    {
        var tokens = new TestTokens(new JwtOptions { Secret = TestTokens.NewSecret(), AccessTokenMinutes = 15 });
        var expectedIat = tokens.Time.GetUtcNow().ToUnixTimeSeconds();

        var issued = tokens.Issue("user");

        var payload = TestTokens.Payload(issued.Token);
        var iat = payload.GetProperty("iat").GetInt64();
        Assert.Equal(expectedIat, iat);
        Assert.Equal(iat, payload.GetProperty("nbf").GetInt64());
        Assert.Equal(15 * 60, payload.GetProperty("exp").GetInt64() - iat);
        Assert.Equal(15 * 60, issued.ExpiresInSeconds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(iat + (15 * 60)).UtcDateTime, issued.ExpiresAt);
        Assert.Equal(DateTimeKind.Utc, issued.ExpiresAt.Kind);
    }

    [Fact]
    public void The_default_lifetime_is_30_minutes()
    {
        var issued = _tokens.Issue("user");

        var payload = TestTokens.Payload(issued.Token);

        Assert.Equal(1800, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.Equal(1800, issued.ExpiresInSeconds);
        Assert.Equal(TimeSpan.FromMinutes(30), _tokens.Keys.AccessTokenLifetime);
    }

    [Fact]
    public void Every_token_gets_its_own_token_id()
    {
        var subject = TestTokens.Subject("user");

        var first = _tokens.Issuer.Issue(subject);
        var second = _tokens.Issuer.Issue(subject);

        Assert.NotEqual(first.TokenId, second.TokenId);
        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(second.TokenId, new JsonWebToken(second.Token).Id);
    }

    [Fact]
    public void Issuing_for_no_subject_throws()
    {
        Assert.Throws<ArgumentNullException>("subject", () => _tokens.Issuer.Issue(null!));
    }
}
