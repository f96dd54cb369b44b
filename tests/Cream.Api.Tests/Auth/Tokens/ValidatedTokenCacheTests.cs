using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>A remembered token is never an exception to revocation, expiry, key changes or other rules.</summary>
public sealed class ValidatedTokenCacheTests
{
    private readonly TestTokens _tokens = new();
    private readonly AccessTokenHandler _handler;

    public ValidatedTokenCacheTests() => _handler = new AccessTokenHandler(_tokens.Revocations, _tokens.Keys, _tokens.Time);

    [Fact]
    public async Task A_repeated_token_is_answered_from_memory_with_the_same_identity()
    {
        var token = _tokens.Issue("admin").Token;

        var first = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);
        var second = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters.Clone());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Same(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.True(second.ClaimsIdentity.HasClaim("roles", "admin"));
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_its_session_is_revoked()
    {
        var subject = TestTokens.Subject();
        var token = _tokens.Issuer.Issue(subject).Token;
        Assert.True((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).IsValid);

        _tokens.Revocations.Apply(new RevocationEvent(RevocationKind.Session, subject.SessionId.ToString(), long.MaxValue, false, 1));
        var result = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);

        Assert.False(result.IsValid);
        Assert.Equal("revoked", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var token = _tokens.Issue().Token;
        Assert.True((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).IsValid);

        _tokens.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(31));
        var result = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);

        Assert.False(result.IsValid);
        Assert.Equal("expired", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_key_ring_change_sends_remembered_tokens_back_through_full_validation()
    {
        var token = _tokens.Issue().Token;
        Assert.True((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).IsValid);

        var other = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestTokens.NewSecret())) { KeyId = "another" };
        _tokens.Keys.Ring.Install(other, []); // the old key is gone
        var result = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);

        Assert.False(result.IsValid);
        Assert.Equal("invalid_signature", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task Validation_under_other_rules_is_never_answered_from_memory()
    {
        var token = _tokens.Issue().Token;
        Assert.True((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).IsValid);
        var stricter = _tokens.Keys.ValidationParameters.Clone();
        stricter.ValidAudience = "another-audience";

        var result = await _handler.ValidateTokenAsync(token, stricter);

        Assert.False(result.IsValid);
        Assert.Equal("invalid_audience", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task The_cache_starts_over_when_full_and_still_answers()
    {
        string last = string.Empty;
        for (var i = 0; i <= AccessTokenHandler.MaxCachedTokens; i++)
        {
            last = _tokens.Issue().Token;
            Assert.True((await _handler.ValidateTokenAsync(last, _tokens.Keys.ValidationParameters)).IsValid);
        }

        Assert.True((await _handler.ValidateTokenAsync(last, _tokens.Keys.ValidationParameters)).IsValid);
    }
}
