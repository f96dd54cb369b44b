using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>A remembered token is never an exception to revocation, expiry, key changes or other rules.</summary>
public sealed class ValidatedTokenCacheTests
{
    private readonly TestTokens _tokens = new();
    private readonly AccessTokenHandler _handler;

    public ValidatedTokenCacheTests() => _handler = _tokens.Handler;

    [Fact]
    public async Task A_token_is_remembered_from_its_second_validation_on_with_one_shared_identity()
    {
        var token = _tokens.Issue("admin").Token;

        var first = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);
        var second = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters.Clone());
        var third = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters.Clone());

        Assert.True(first.IsValid && second.IsValid && third.IsValid);
        Assert.NotSame(first, second); // seen once: validated in full, not remembered
        Assert.Same(second, third);
        Assert.Same(second.ClaimsIdentity, third.ClaimsIdentity);
        Assert.True(third.ClaimsIdentity.HasClaim("roles", "admin"));
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_its_session_is_revoked()
    {
        var subject = TestTokens.Subject();
        var token = _tokens.Issuer.Issue(subject).Token;
        await RememberAsync(token);

        _tokens.Revocations.Apply(new StateChange(StateChangeKind.Session, subject.SessionId.ToString(), long.MaxValue, false, 1));
        var result = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);

        Assert.False(result.IsValid);
        Assert.Equal("revoked", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var token = _tokens.Issue().Token;
        await RememberAsync(token);

        _tokens.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(31));
        var result = await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters);

        Assert.False(result.IsValid);
        Assert.Equal("expired", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_key_ring_change_sends_remembered_tokens_back_through_full_validation()
    {
        var token = _tokens.Issue().Token;
        await RememberAsync(token);

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
        await RememberAsync(token);
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
        for (var i = 0; i <= ValidatedTokenCache.MaxEntries; i++)
        {
            last = _tokens.Issue().Token;
            await RememberAsync(last);
        }

        Assert.True((await _handler.ValidateTokenAsync(last, _tokens.Keys.ValidationParameters)).IsValid);
    }

    [Fact]
    public async Task The_bearer_fast_path_answers_only_a_remembered_live_unbound_token()
    {
        var token = _tokens.Issue().Token;
        Assert.Null(_handler.FindLive(token, _tokens.Keys.ValidationParameters)); // never validated: the full path first

        await RememberAsync(token);
        var known = _handler.FindLive(token, _tokens.Keys.ValidationParameters);

        Assert.NotNull(known);
        Assert.Same((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).ClaimsIdentity, known);
        Assert.Null(_handler.FindLive(token + "x", _tokens.Keys.ValidationParameters));
        Assert.Null(_handler.FindLive(token.ToUpperInvariant(), _tokens.Keys.ValidationParameters));
        var stricter = _tokens.Keys.ValidationParameters.Clone();
        stricter.ValidAudience = "another-audience";
        Assert.Null(_handler.FindLive(token, stricter)); // other rules are never answered from memory
        Assert.NotNull(_handler.FindLive(token, _tokens.Keys.ValidationParameters.Clone())); // an unchanged clone is
    }

    [Fact]
    public async Task The_bearer_fast_path_leaves_revoked_expired_rekeyed_and_bound_tokens_to_the_full_path()
    {
        var subject = TestTokens.Subject();
        var revoked = _tokens.Issuer.Issue(subject).Token;
        var expiring = _tokens.Issue().Token;
        var bound = _tokens.Issuer.Issue(TestTokens.Subject() with { DpopKey = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" }).Token;
        foreach (var token in new[] { revoked, expiring, bound })
        {
            await RememberAsync(token);
        }

        Assert.Null(_handler.FindLive(bound, _tokens.Keys.ValidationParameters)); // the full path refuses it as Bearer, or checks its proof as DPoP
        Assert.NotNull(_handler.FindLive(revoked, _tokens.Keys.ValidationParameters));
        _tokens.Revocations.Apply(new StateChange(StateChangeKind.Session, subject.SessionId.ToString(), long.MaxValue, false, 1));
        Assert.Null(_handler.FindLive(revoked, _tokens.Keys.ValidationParameters));

        _tokens.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(31));
        Assert.Null(_handler.FindLive(expiring, _tokens.Keys.ValidationParameters));

        var fresh = _tokens.Issue().Token;
        await RememberAsync(fresh);
        _tokens.Keys.Ring.Install(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestTokens.NewSecret())) { KeyId = "another" }, []);
        Assert.Null(_handler.FindLive(fresh, _tokens.Keys.ValidationParameters));
    }

    /// <summary>Validates twice, so the handler remembers the token (asserting it is valid).</summary>
    private async Task RememberAsync(string token)
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await _handler.ValidateTokenAsync(token, _tokens.Keys.ValidationParameters)).IsValid);
        }
    }
}
